import { z } from 'zod';

/** A finite price: strictly positive. */
export const Price = z.number().positive();
/** A finite quantity in contracts (base units): strictly positive. */
export const Quantity = z.number().positive();
/** Milliseconds since the Unix epoch. */
export const EpochMs = z.number().int().nonnegative();
/** Exchange-native linear symbol, e.g. BTCUSDT. */
export const SYMBOL_PATTERN = /^[A-Z0-9]{2,24}USDT$/;
export const SymbolName = z
  .string()
  .regex(SYMBOL_PATTERN, 'must be an exchange symbol such as BTCUSDT (upper case, USDT-margined)');
/** Account names appear in URLs, logs and env variable names: keep them plain. */
export const AccountName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/, 'must start with a letter and use only letters, digits, _ and - (max 40)');

/** Also becomes the exchange's client order id prefix, so it stays short and URL-safe. */
export const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,36}$/, 'must be 8 to 36 characters of letters, digits, _ and -');
