/**
 * The extension's id, fixed by the public key in its manifest (`extension/wxt.config.ts`): Chrome derives
 * it from that key, so every build and every "Load unpacked" gets the same one. The companion admits this
 * `chrome-extension://` origin by default and no other.
 */
export const EXTENSION_ID = 'mhhdpgaalaanknachkpngapecflhnbnl';
