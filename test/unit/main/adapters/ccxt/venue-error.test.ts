import { describe, expect, it } from 'vitest';
import { ccxtErrorNames, describeVenueError, makeRedactor } from '../../../../../main/adapters/ccxt/venue-error.js';

// The ccxt hierarchy, rebuilt by name: the adapter reads class names and never imports ccxt to do it.
class BaseError extends Error {}
class ExchangeError extends BaseError {}
class OperationFailed extends BaseError {}
class NetworkError extends OperationFailed {}
class RequestTimeout extends NetworkError {}
class DDoSProtection extends NetworkError {}
class RateLimitExceeded extends NetworkError {}
class ExchangeNotAvailable extends NetworkError {}
class AuthenticationError extends ExchangeError {}
class InvalidOrder extends ExchangeError {}
class OrderNotFound extends InvalidOrder {}
class InsufficientFunds extends ExchangeError {}

const ctx = { venue: 'binanceusdm', action: 'createOrder buy 0.01 BTC/USDT:USDT (c1)', timeoutMs: 400, redact: makeRedactor(['topsecretvalue']) };

describe('describeVenueError', () => {
  it('reads the class chain', () => {
    expect(ccxtErrorNames(new RequestTimeout('x'))).toEqual(['RequestTimeout', 'NetworkError', 'OperationFailed', 'BaseError']);
  });

  it.each([
    [new RequestTimeout('binanceusdm POST http://x/fapi/v1/order request timed out (400 ms)'), 'timeout', true, /did not answer within 400 ms/],
    [new DDoSProtection('binanceusdm GET http://x/fapi/v1/openOrders 418 I\'m a teapot {"code":-1003}'), 'banned', false, /banned this IP .*HTTP 418/],
    [new RateLimitExceeded('binanceusdm {"code":-1003,"msg":"Too many requests"}'), 'rate_limited', false, /rate limit hit \(HTTP 429\)/],
    [new ExchangeNotAvailable('binanceusdm GET http://x/fapi/v1/time 503 Service Unavailable oops'), 'unavailable', true, /HTTP 503 \(server error\); the outcome is unknown/],
    [new NetworkError('socket hang up'), 'network', true, /network error \(socket hang up\)/],
    [new AuthenticationError('binanceusdm {"code":-2015,"msg":"Invalid API-key"}'), 'auth', false, /refused the credentials/],
    [new OrderNotFound('binanceusdm {"code":-2013}'), 'not_found', false, /no such order/],
    [new InsufficientFunds('binanceusdm {"code":-2019,"msg":"Margin is insufficient."}'), 'rejected', false, /insufficient funds/],
    [new InvalidOrder('binanceusdm {"code":-4164}'), 'rejected', false, /refused by the venue/],
    [new SyntaxError('Unexpected token < in JSON'), 'bad_response', true, /unreadable/],
  ])('%s → %s', (err, kind, uncertain, message) => {
    const e = describeVenueError(err, ctx);
    expect(e.kind).toBe(kind);
    expect(e.uncertain).toBe(uncertain);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith('binanceusdm createOrder buy 0.01 BTC/USDT:USDT (c1): ')).toBe(true);
  });

  it('says how long the venue asked to wait', () => {
    expect(describeVenueError(new RateLimitExceeded('x'), { ...ctx, retryAfterSecs: 3 }).message).toMatch(/waiting 3 s as the venue asked/);
  });

  it('removes credentials (also URL-encoded) and keeps messages short', () => {
    const e = describeVenueError(new ExchangeError(`echo topsecretvalue ${encodeURIComponent('topsecretvalue')} ${'x'.repeat(500)}`), ctx);
    expect(e.message).not.toContain('topsecretvalue');
    expect(e.message).toContain('***');
    expect(e.message.length).toBeLessThan(400);
  });

  it('ignores secrets too short to redact safely', () => {
    expect(makeRedactor(['ab', undefined, ''])('ab cd')).toBe('ab cd');
  });
});
