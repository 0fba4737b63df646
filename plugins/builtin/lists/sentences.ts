/**
 * The lists plugin's sentences (hassil template syntax, as in daemon/intents/sentences/en.ts). Shopping
 * sentences use Home Assistant's shopping-list intents; the to-do list the generic list intents, which
 * also take "the shopping list" when it is named. `{item}`/`{item2}` are wildcards: a few words (a wildcard
 * stops at "and" and "to", so "add milk and eggs to the shopping list" is two items).
 */
const SHOP = '(shopping|grocery|groceries|shop)';
const TODO = '(to do|todo|task|tasks|chores)';
const ANY = '(shopping|grocery|groceries|to do|todo|task|tasks|chores)';
const OWNER = '[the|my|our]';

const ZH_SHOP = '(购物|买菜|采购)(清单|单|列表)';
const ZH_TODO = '(待办|待办事项|待办清单|待办列表|任务清单|任务列表|待做事项)';
const ZH_ANY = `(${ZH_SHOP}|${ZH_TODO})`;

export const SENTENCES: Record<'en' | 'zh', Record<string, string[]>> = {
  en: {
    HassShoppingListAddItem: [
      `(add|put) {item} (to|on) ${OWNER} ${SHOP} list`,
      `(add|put) {item} and {item2} (to|on) ${OWNER} ${SHOP} list`,
      `(add|put) {item} (to|on) ${OWNER} groceries`,
      '(we need to buy|i need to buy|we have to buy|remember to buy|remind me to buy) {item}',
      `${SHOP} list add {item}`,
    ],
    HassListAddItem: [
      `(add|put) {item} (to|on) ${OWNER} ${TODO} list`,
      `(add|put) {item} and {item2} (to|on) ${OWNER} ${TODO} list`,
      `(add|put) {item} (to|on) ${OWNER} (to dos|todos|tasks|chores)`,
      `${TODO} list add {item}`,
    ],
    HassListCompleteItem: [
      `(check|cross|tick|mark|take|strike) {item} off ${OWNER} ${ANY} list`,
      `(check off|cross off|tick off|complete|finish|remove|delete|strike) {item} (from|on|in) ${OWNER} ${ANY} list`,
      `(mark|set) {item} [as] (done|complete|completed|finished|bought) [on ${OWNER} ${ANY} list]`,
      '(i|we) (bought|got|have bought|picked up) {item}',
      '(i|we) (did|finished|have done|completed) {item}',
    ],
    HassListGetItems: [
      `what is (on|in) ${OWNER} ${ANY} list`,
      `(read|tell me|show me|list|read out|read me) ${OWNER} ${ANY} list`,
      `what (do|does) (i|we) (need|have) (to buy|on ${OWNER} ${ANY} list)`,
      'what (do|should) (i|we) (buy|get) [at the (store|shop|supermarket)]',
      'what (do|should) (i|we) (have to do|need to do|do today)',
      `(is|are) there anything on ${OWNER} ${ANY} list`,
    ],
    HassListClearCompleted: [
      `(clear|remove|delete) [the|all] (completed|done|finished|checked|bought) [items|things|tasks|ones|off items] (from|on|in) ${OWNER} ${ANY} list`,
      `(clear|clean up|tidy up|tidy) ${OWNER} ${ANY} list`,
    ],
  },
  zh: {
    HassShoppingListAddItem: [
      `{item}(加到|加入|添加到|放到|放进|记到|写到)${ZH_SHOP}[里|上|中]`,
      `{item}和{item2}(加到|加入|添加到|放到|记到)${ZH_SHOP}[里|上|中]`,
      `(往|在|给)${ZH_SHOP}[里|上](加|添加|加上|记)[一个|一下]{item}`,
      `${ZH_SHOP}(加|添加|加上)[一个|一下]{item}`,
      '(记得|提醒我|别忘了|要记得)买{item}',
    ],
    HassListAddItem: [
      `{item}(加到|加入|添加到|放到|放进|记到|写到)${ZH_TODO}[里|上|中]`,
      `(往|在|给)${ZH_TODO}[里|上](加|添加|加上|记)[一个|一下|一条]{item}`,
      `${ZH_TODO}(加|添加|加上)[一个|一下|一条]{item}`,
    ],
    HassListCompleteItem: [
      `{item}从${ZH_ANY}[里|上|中](删掉|删除|去掉|划掉|勾掉|移除|拿掉)`,
      `(划掉|勾掉|删掉|删除|去掉|完成)${ZH_ANY}[里|上|中]{item}`,
      `(划掉|勾掉|删掉|删除|去掉)${ZH_ANY}[里|上|中]的{item}`,
      '{item}[已经]买(好|到)',
      '{item}已经买',
      '{item}[已经](做完|完成|办完|搞定)',
    ],
    HassListGetItems: [
      `${ZH_ANY}[里|上|中](有|是)(什么|啥|哪些)`,
      `(查看|看看|看一下|读一下|念一下|读|念|告诉我)[我的|我们的]${ZH_ANY}`,
      '我(要|需要|得)买(什么|啥|哪些东西)',
      '(我|我们)有(什么|哪些)(待办|待办事项|要做的事)',
      '还有什么要(买|做)',
    ],
    HassListClearCompleted: [
      `(清除|清掉|删除|删掉|清理)[${ZH_ANY}][里|上|中]已(完成|买)[的][项目|事项|东西]`,
      `(清理|整理)[一下]${ZH_ANY}`,
    ],
  },
};
