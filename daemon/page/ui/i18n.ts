/**
 * The page's words in English and Simplified Chinese. The language follows the browser (`navigator.languages`)
 * until the user picks one, which is remembered. Every string a user reads or a screen reader announces is here.
 */
export type Lang = 'en' | 'zh-CN';

const en = {
  title: 'voicehub',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signInIntro: 'Run `voicehub pair` on the hub and type the 6-digit code, or paste a token from `voicehub token create`.',
  pairingCode: 'Pairing code',
  token: 'Token',
  useCode: 'Use code',
  useToken: 'Use token',
  codeWrong: 'That code is wrong, expired or already used. Run `voicehub pair` for a new one.',
  tooManyTries: 'Too many tries. Wait a minute and try again.',
  tokenRefused: 'The hub refused that token.',
  signedOutExpired: 'Your sign-in has expired or was withdrawn (keys rotated). Please sign in again.',
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'The hub is not answering; reconnecting…',
  reconnected: 'Reconnected to the hub.',
  devices: 'Devices',
  voice: 'Voice',
  hub: 'Hub',
  search: 'Search devices by name',
  noDevices: 'No devices yet. They appear here as soon as they announce themselves over MQTT.',
  noMatch: 'No device matches.',
  otherFloor: 'No floor',
  noArea: 'No area',
  unavailable: 'Unavailable',
  unavailableReason: 'The device reports that it is offline, so it cannot be controlled.',
  noControl: 'Your sign-in may not control devices (it lacks devices:control).',
  noRead: 'Your sign-in may not see devices (it lacks devices:read). Sign in with a pairing code for them.',
  on: 'On', off: 'Off', toggle: 'Toggle',
  brightness: 'Brightness', position: 'Position', target: 'Target temperature', colour: 'Colour',
  open: 'Open', close: 'Close', stop: 'Stop', lock: 'Lock', unlock: 'Unlock', activate: 'Activate',
  confirmUnlock: 'Unlock {name}?', confirmLock: 'Lock {name}?',
  mode: 'Mode', speed: 'Speed',
  play: 'Play', pause: 'Pause', next: 'Next', previous: 'Previous',
  colourTemp: 'White (K)', volume: 'Volume', mute: 'Mute', unmute: 'Unmute', start: 'Start', returnHome: 'Return to base',
  rename: 'Rename, aliases, area, floor',
  renameNeedsAdmin: 'Renaming a device needs a sign-in with the admin scope (`voicehub pair --scope admin`): a name decides which device a spoken command reaches.',
  name: 'Name', aliases: 'Aliases', aliasesHint: 'other names, separated by commas', area: 'Area',
  floor: 'Floor', floorOfArea: 'Its area\'s floor',
  save: 'Save', resetNames: 'Back to its own name', saved: 'Saved: voice commands use the new names now.',
  typeCommand: 'Type a command, e.g. “turn on the kitchen light”',
  send: 'Send',
  holdToTalk: 'Hold to talk',
  listening: 'Listening…',
  micDenied: 'The microphone is not available: {reason}',
  micInsecure: 'Browsers allow the microphone only on https:// or http://localhost. Open the page through an https proxy, or type the command.',
  noStt: 'The hub has no speech-to-text yet: type the command instead.',
  state: 'State',
  reply: 'Reply', intent: 'Intent', actions: 'Actions', timing: 'Time',
  audioSent: '{frames} audio frames sent ({seconds} s)',
  transcript: 'Heard',
  health: 'Health',
  figures: 'Figures',
  plugins: 'Plugins',
  logs: 'Log (last 200 lines)',
  adminOnly: 'Plugins and logs need a sign-in with the admin scope.',
  utterancesPerMin: 'Utterances/min', p99: 'p99 latency (ms)', mqttClients: 'MQTT clients', memory: 'Memory (MB)', loopDelay: 'Event-loop delay (ms)',
  language: 'Language', theme: 'Theme', themeAuto: 'Auto', themeLight: 'Light', themeDark: 'Dark',
  error: 'Error',
  kind_light: 'light', kind_switch: 'switch', kind_fan: 'fan', kind_cover: 'cover', kind_valve: 'valve', kind_lock: 'lock',
  kind_climate: 'thermostat', kind_scene: 'scene', kind_script: 'script', kind_button: 'button', kind_media_player: 'media player',
  kind_vacuum: 'vacuum', kind_sensor: 'sensor', kind_binary_sensor: 'sensor',
};
export type Key = keyof typeof en;

const zh: Record<Key, string> = {
  title: 'voicehub',
  signIn: '登录',
  signOut: '退出登录',
  signInIntro: '在集线器上运行 `voicehub pair` 并输入 6 位配对码，或粘贴 `voicehub token create` 生成的令牌。',
  pairingCode: '配对码',
  token: '令牌',
  useCode: '使用配对码',
  useToken: '使用令牌',
  codeWrong: '配对码错误、已过期或已使用。请重新运行 `voicehub pair`。',
  tooManyTries: '尝试次数过多，请稍等一分钟再试。',
  tokenRefused: '集线器拒绝了这个令牌。',
  signedOutExpired: '登录已过期或已被撤销（密钥已轮换），请重新登录。',
  connecting: '正在连接…',
  connected: '实时',
  reconnecting: '集线器没有响应，正在重新连接…',
  reconnected: '已重新连接到集线器。',
  devices: '设备',
  voice: '语音',
  hub: '集线器',
  search: '按名称搜索设备',
  noDevices: '还没有设备。设备通过 MQTT 公布自己后会立即出现在这里。',
  noMatch: '没有匹配的设备。',
  otherFloor: '未指定楼层',
  noArea: '未指定区域',
  unavailable: '不可用',
  unavailableReason: '设备报告离线，无法控制。',
  noControl: '当前登录无权控制设备（缺少 devices:control）。',
  noRead: '当前登录无权查看设备（缺少 devices:read）。请用配对码登录。',
  on: '开', off: '关', toggle: '切换',
  brightness: '亮度', position: '位置', target: '目标温度', colour: '颜色',
  open: '打开', close: '关闭', stop: '停止', lock: '上锁', unlock: '解锁', activate: '执行',
  confirmUnlock: '确定解锁{name}？', confirmLock: '确定给{name}上锁？',
  mode: '模式', speed: '速度',
  play: '播放', pause: '暂停', next: '下一首', previous: '上一首',
  colourTemp: '白光色温（K）', volume: '音量', mute: '静音', unmute: '取消静音', start: '开始', returnHome: '回充',
  rename: '重命名、别名、区域、楼层',
  renameNeedsAdmin: '重命名设备需要具有 admin 权限的登录（`voicehub pair --scope admin`）：名称决定语音指令控制哪个设备。',
  name: '名称', aliases: '别名', aliasesHint: '其他叫法，用逗号分隔', area: '区域',
  floor: '楼层', floorOfArea: '随所在区域的楼层',
  save: '保存', resetNames: '恢复设备自己的名称', saved: '已保存：语音指令现在使用新名称。',
  typeCommand: '输入指令，例如“打开厨房的灯”',
  send: '发送',
  holdToTalk: '按住说话',
  listening: '正在聆听…',
  micDenied: '麦克风不可用：{reason}',
  micInsecure: '浏览器只允许在 https:// 或 http://localhost 上使用麦克风。请通过 https 代理打开本页，或直接输入指令。',
  noStt: '集线器还没有语音识别，请改为输入指令。',
  state: '状态',
  reply: '回复', intent: '意图', actions: '动作', timing: '用时',
  audioSent: '已发送 {frames} 个音频帧（{seconds} 秒）',
  transcript: '听到',
  health: '健康状况',
  figures: '数据',
  plugins: '插件',
  logs: '日志（最近 200 行）',
  adminOnly: '插件和日志需要具有 admin 权限的登录。',
  utterancesPerMin: '每分钟语音数', p99: 'p99 延迟（毫秒）', mqttClients: 'MQTT 客户端', memory: '内存（MB）', loopDelay: '事件循环延迟（毫秒）',
  language: '语言', theme: '主题', themeAuto: '自动', themeLight: '浅色', themeDark: '深色',
  error: '错误',
  kind_light: '灯', kind_switch: '开关', kind_fan: '风扇', kind_cover: '窗帘', kind_valve: '阀门', kind_lock: '门锁',
  kind_climate: '温控器', kind_scene: '场景', kind_script: '脚本', kind_button: '按钮', kind_media_player: '播放器',
  kind_vacuum: '扫地机器人', kind_sensor: '传感器', kind_binary_sensor: '传感器',
};

const TABLES: Record<Lang, Record<Key, string>> = { en, 'zh-CN': zh };

export function detectLang(): Lang {
  const saved = localStorage.getItem('voicehub.lang');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  for (const l of navigator.languages ?? [navigator.language]) {
    if (l.toLowerCase().startsWith('zh')) return 'zh-CN';
    if (l.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

export type T = (key: Key, vars?: Record<string, string | number>) => string;

/** A device kind's name in the page's language; a kind the page does not know yet is shown as the hub names it. */
export function kindName(t: T, type: string): string {
  const key = `kind_${type}`;
  return Object.hasOwn(en, key) ? t(key as Key) : type;
}

export function translator(lang: Lang): T {
  const table = TABLES[lang];
  return (key, vars) => {
    const text = table[key] ?? en[key];
    // One pass with a function: a device name holding `$&` or `{reason}` is shown as it is, never read as
    // a replacement pattern or a placeholder.
    return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole)) : text;
  };
}
