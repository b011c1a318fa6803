export { ConfigError, loadConfig, portSettingError, settingError } from './load.ts';
export {
  type AccountConfig,
  CompanionConfig,
  type CompanionConfigInput,
  DEFAULT_ACCOUNTS,
  resolveDataDir,
  toProtocolAccount,
} from './schema.ts';
export { secretEnvName, secretEnvSegment } from './secret-env.ts';
export { loadSecrets } from './secrets.ts';
