/**
 * Cantonese words (Hong Kong) and the Mandarin the sentences are written in (data only). Applied to tokens
 * after Traditional is folded to Simplified (chineseScript.ts), so keys are in Simplified characters:
 * "閂咗客廳盞燈" → 闩咗客厅盏灯 → 关了客厅灯. Longest phrase wins; an empty replacement drops the words.
 * Only words whose Mandarin reading is never meant in a home command are here (bare 系 stays: 系统).
 */
export const CANTONESE: readonly (readonly [cantonese: string, mandarin: string])[] = [
  // Verbs: 閂 and 熄 turn off (熄灭 kept as it is), 較/校 adjust, 同我 "for me".
  ['闩', '关'], ['熄灭', '熄灭'], ['熄', '关'],
  ['较光', '调亮'], ['校光', '调亮'], ['较暗', '调暗'], ['校暗', '调暗'], ['较高', '调高'], ['较低', '调低'],
  ['较到', '调到'], ['校到', '调到'], ['较做', '调成'], ['校做', '调成'], ['较返', '调到'],
  ['同我', '帮我'], ['唔该', ''],
  // Particles: 咗 perfective (了), 嘅 possessive (的), 啲 "some / the", 晒 "all of them".
  ['咗', '了'], ['嘅', '的'], ['啲', ''], ['晒', '都'],
  // Questions: 係咪 / 係唔係 "is it", 有冇 "is there", 冇 "not have", 幾多 "how much", 點樣 "how", 邊 "which".
  ['系咪', '是不是'], ['系唔系', '是不是'], ['系几多', '是多少'], ['系几', '是几'], ['系乜', '是什么'], ['乜嘢', '什么'], ['乜', '什么'], ['有冇', '有没有'], ['冇', '没有'], ['唔', '不'],
  ['几多', '多少'], ['点样', '怎么样'], ['边度', '哪里'], ['边个', '哪个'], ['边啲', '哪些'],
  // 喺邊 / 去咗邊 "where is it": 掃地機喺邊.
  ['喺边', '在哪'], ['去咗边', '去哪了'],
  // This / that / here / now / in: 呢個 這個, 嗰 那, 呢度 這裡, 而家 現在, 喺 在; 盞 the classifier for lamps.
  ['呢个', '这个'], ['呢间', '这间'], ['呢度', '这里'], ['呢盏', ''], ['嗰盏', ''], ['嗰个', '那个'], ['嗰', '那'],
  ['盏', ''], ['而家', '现在'], ['喺', '在'], ['屋企', '家里'], ['今日', '今天'], ['听日', '明天'], ['寻日', '昨天'],
  // 返 "back on again", 埋 "as well": 開返盞燈, 熄埋佢; 咗部 "the (machine)": 閂咗部電視.
  ['开返', '开'], ['熄埋', '关'], ['闩埋', '关'], ['开埋', '开'], ['咗部', '了'], ['开部', '开'], ['闩部', '关'], ['熄部', '关'],
];

/** Cantonese question particles that end a question ("燈熄咗未" "has the light gone off yet"): read as 吗. */
export const CANTONESE_FINAL: readonly (readonly [cantonese: string, mandarin: string])[] = [['未', '吗'], ['未呀', '吗'], ['吖', ''], ['喎', '']];
