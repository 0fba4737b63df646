/** The hub-status plugin's sentences (hassil template syntax), per language and intent. */
export const SENTENCES: Record<'en' | 'zh', Record<string, string[]>> = {
  en: {
    HubStatus: [
      'how is (hub|system|voicehub|server|home hub|smart home|home) [doing|running|going|holding up]',
      'how are (you|things) (doing|running)',
      '(hub|system|voicehub) (status|health|check)',
      '(status|health) of (hub|system|voicehub)',
      'what is (hub|system|voicehub) (status|health)',
      'is (hub|system|voicehub) (ok|okay|healthy|running|working|alright|all right|fine|up)',
      '(check|diagnose) (hub|system|voicehub)',
      'are you (ok|okay|healthy|working|alright|all right)',
    ],
  },
  zh: {
    HubStatus: [
      '(集线器|网关|中枢|系统|主机|hub|中控|智能家居|voicehub)[现在][运行][状态|情况][怎么样|如何|好吗|还好吗|还好|还|正常吗|正常|咋样|怎样|好不好]',
      '(检查|查看|看看)(集线器|网关|中枢|系统|主机|hub|中控)[状态|情况]',
    ],
  },
};
