/**
 * Words people add that change nothing a command means, per language (data, not code). Removed from
 * utterances, from sentence templates and from device/area names alike, so the three always agree.
 *
 * - `anywhere`: dropped wherever they stand ("the", "please", "请", "把", "的").
 * - `leading`: dropped only at the start ("can you…", "能不能…"); `polite` ones turn a question into a
 *   request, so a trailing question particle (吗) goes too: "能打开灯吗" is "打开灯".
 * - `trailing`: dropped only at the end ("…for me", "…吧").
 *
 * Written as plain text; Chinese entries are split into characters like utterances are.
 */
export interface FillerData {
  anywhere: readonly string[];
  leading: readonly string[];
  politeLeading: readonly string[];
  trailing: readonly string[];
  /** Dropped at the end only when a polite leading filler was dropped. */
  politeTrailing: readonly string[];
  /** Trailing fillers kept after these words: "前门锁好吗" asks whether the door is locked (锁好), it is no request. */
  trailingKeptAfter: Readonly<Record<string, readonly string[]>>;
}

export const FILLERS: FillerData = {
  anywhere: [
    // English
    'please', 'the', 'kindly', 'just', 'my', 'our', 'your',
    // Chinese: request markers, disposal 把/将, the possessive/attributive 的 and aspect 了 carry no slot.
    '请', '把', '将', '的', '了', '一下', '帮我', '帮忙', '给我', '麻烦你', '麻烦', '您',
    // Possessives: 我的/我们的/我们家的 灯 is the light (的 goes on its own too, so 我们的 needs no entry of its own).
    '我的', '我们的', '我们家的', '我家的', '咱家的', '咱们家的', '咱们的', '我们家', '咱们家', '咱家',
  ],
  leading: [
    'hey', 'hi', 'hello', 'ok', 'okay', 'so', 'um', 'uh', 'oh', 'well', 'now',
    'go ahead and', 'tell me', 'do you know', 'i want to know', 'i would like to know', 'let me know',
    '嗨', '喂', '那个', '请问', '告诉我', '我想知道', '你知道', '我想要', '我想', '我要', '我需要', '你',
  ],
  politeLeading: [
    'can you', 'could you', 'would you', 'will you', 'can u', 'i want you to', 'i would like you to',
    'i need you to',
    '你能不能', '你可不可以', '你能否', '你能', '你可以', '能不能', '可不可以', '能否', '可以', '能',
  ],
  trailing: [
    'please', 'now', 'right now', 'thanks', 'thank you', 'for me', 'if you can', 'will you', 'would you',
    'ok', 'okay',
    '吧', '啊', '呀', '哦', '嘛', '呗', '哈', '啦', '喇', '咯', '嘞', '好吗', '好不好', '行吗', '行不行', '可以吗', '谢谢', '谢谢你',
  ],
  politeTrailing: ['吗', '呢'],
  trailingKeptAfter: { 好吗: ['锁', '关', '放', '弄', '盖', '收'], 好不好: ['锁', '关'] },
};
