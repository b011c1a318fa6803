import { ClientMessage, type ProtocolError } from '@tierwatch/shared';

const KNOWN_TYPES = new Set(['auth', 'resume', 'ping']);

/**
 * A client frame → the message it carries, or the error frame's code and text. Pure, so every malformed
 * shape is one table row in the tests. Texts never echo more than a short prefix of what was sent.
 */
export function parseClientFrame(data: unknown): { message: ClientMessage } | { error: ProtocolError } {
  const bad = (code: ProtocolError['code'], message: string) => ({ error: { code, message } });
  if (typeof data !== 'string') return bad('BAD_MESSAGE', 'binary frames are not part of the protocol');
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return bad('BAD_MESSAGE', 'frame is not JSON');
  }
  const parsed = ClientMessage.safeParse(raw);
  if (parsed.success) return { message: parsed.data };
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && !KNOWN_TYPES.has(type)) {
    return bad('UNKNOWN_MESSAGE', `unknown message type "${type.slice(0, 40)}"; expected auth, resume or ping`);
  }
  const issue = parsed.error.issues[0];
  const where = issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'malformed';
  return bad('BAD_MESSAGE', `invalid message: ${where}`);
}
