import { z } from 'zod';
import { ErrorCode } from './errors.js';

/** Frames on the WebSocket (browser mode) and the IPC channel (desktop). */
export const RequestFrame = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().min(1),
  params: z.unknown().optional(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

export const ResponseFrame = z.union([
  z.object({ id: z.number(), result: z.unknown() }),
  z.object({ id: z.number().nullable(), error: z.object({ code: ErrorCode, message: z.string() }) }),
]);
export type ResponseFrame = z.infer<typeof ResponseFrame>;

export const EventFrame = z.object({ event: z.string(), data: z.unknown() });
export type EventFrame = z.infer<typeof EventFrame>;

export const IPC_INVOKE_CHANNEL = 'kestrel:invoke';
export const IPC_EVENT_CHANNEL = 'kestrel:event';
