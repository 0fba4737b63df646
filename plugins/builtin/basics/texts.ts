/** Replies of the small intents, per language. */
export const TEXTS: Record<'en' | 'zh', Record<string, string>> = {
  en: {
    time: "It's {{ time }}.",
    date: 'Today is {{ date }}.',
    nevermind: 'OK.',
    broadcast: 'Told everyone: {{ message }}.',
    broadcast_empty: 'What should I tell everyone?',
  },
  zh: {
    time: '现在是{{ time }}。',
    date: '今天是{{ date }}。',
    nevermind: '好的。',
    broadcast: '已告诉大家：{{ message }}。',
    broadcast_empty: '要告诉大家什么？',
  },
};
