import { ErrorCode } from '../errors/error-code.js';
import { KeeperError } from '../errors/keeper-error.js';
import type { ReplyBody, ReplyType, ServerReply } from '../wire/client-message.js';
import { keeperErrorOf } from './error-messages.js';

/**
 * The body of a successful reply of the expected type. Throws the KeeperError of a reply whose err
 * is not OK (with the path the call addressed), and MARSHALLINGERROR for a body of another type.
 */
export function replyBody<Type extends ReplyType>(
  reply: ServerReply,
  type: Type,
  path?: string,
): Extract<ReplyBody, { readonly type: Type }> {
  if (reply.err !== ErrorCode.OK) throw keeperErrorOf(reply.err, path);
  if (reply.body.type !== type) {
    throw new KeeperError('MARSHALLINGERROR', `expected a ${type} reply, the replica sent a ${reply.body.type} reply`, path);
  }
  return reply.body as Extract<ReplyBody, { readonly type: Type }>;
}
