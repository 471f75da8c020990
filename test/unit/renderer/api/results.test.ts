import { describe, expect, it } from 'vitest';
import { toKestrelError } from '../../../../renderer/api/results.js';

describe('toKestrelError', () => {
  it('reads the JSON body inside Electron’s "Error invoking remote method" message', () => {
    const err = toKestrelError(new Error(`Error invoking remote method 'kestrel:invoke': Error: {"code":"halted","message":"trading is halted"}`));
    expect(err.code).toBe('halted');
    expect(err.message).toBe('trading is halted');
  });

  it('accepts the REST shape {error:{code,message}} too', () => {
    const err = toKestrelError(new Error('{"error":{"code":"not_found","message":"unknown instrument X:Y"}}'));
    expect([err.code, err.message]).toEqual(['not_found', 'unknown instrument X:Y']);
  });

  it('keeps a plain message when there is no JSON body', () => {
    const err = toKestrelError(new Error('socket hang up'));
    expect([err.code, err.message]).toEqual(['internal', 'socket hang up']);
  });
});
