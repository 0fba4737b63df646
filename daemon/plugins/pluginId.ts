/**
 * The plugin id pattern (reverse-DNS). It is the one the config uses for `plugins.<id>` keys, so every
 * valid id can be granted scopes in voicehub.yaml.
 */
export const PLUGIN_ID_PATTERN = '^[a-z0-9-]+(\\.[a-z0-9-]+)+$';
