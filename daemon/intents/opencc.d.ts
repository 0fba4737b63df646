/** opencc-js ships no types for its single dictionaries: each is a string of "source target|…" entries. */
declare module 'opencc-js/dict/*' {
  const dict: string;
  export default dict;
}
