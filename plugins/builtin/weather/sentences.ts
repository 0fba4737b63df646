/**
 * The weather plugin's sentences (hassil template syntax), per language and intent. `{day}` and `{location}`
 * are slot lists the intent engine reads (daemon/intents/sentences/lists.ts).
 */
export const SENTENCES: Record<'en' | 'zh', Record<string, string[]>> = {
  en: {
    HassGetWeather: [
      'what is weather [going to be|gonna be|like|looking like] [like] [{day}]',
      'what is [{day}] weather [like]',
      'how is weather [looking] [{day}]',
      'what is [{day}] forecast',
      'what is [weather] forecast [for] [{day}]',
      'weather [forecast] [for] [{day}]',
      '[{day}] weather [forecast]',
      '(is|will) it (going to|gonna) (rain|snow|be sunny|be cloudy|be cold|be hot|be warm|be windy) [{day}]',
      'will it (rain|snow|be sunny|be cloudy|be cold|be hot|be warm|be windy) [{day}]',
      'do i need (an umbrella|a jacket|a coat|sunscreen) [{day}]',
      'what is it like outside',
      'is it (raining|snowing|sunny|cloudy|windy) [outside]',
      'how is it outside',
      'what is (temperature|temp) outside',
      'how (warm|hot|cold) is it outside',
      'is it (warm|hot|cold) outside',
      'what is weather [like] in {location}',
      'how is weather in {location}',
      'weather in {location}',
      // The plugin's own first four, kept after the ones the core used to ship (ties go to the earlier).
      "what's the weather [like] [today]",
      'what is the weather [like] [today]',
      'how is the weather [today]',
      "how's the weather [today]",
    ],
  },
  zh: {
    HassGetWeather: [
      '[{day}][外面]天气[预报][怎么样|如何|好吗|好不好|咋样|怎样|会怎样|是什么]',
      '[{day}][会|要|会不会]下(雨|雪)[吗|么]',
      '[{day}]需要带伞吗',
      '{day}[外面](冷|热)(吗|不冷|不热)',
      '{day}[是][晴天|阴天]吗',
      '{location}[{day}]天气[预报][怎么样|如何|好吗|好不好|咋样|怎样]',
      '今天天气怎么样',
      '天气怎么样',
      '今天天气如何',
      '现在天气怎么样',
    ],
  },
};
