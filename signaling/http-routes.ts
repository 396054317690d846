/** The plain HTTP side of the signaling server: GET /healthz and GET /metrics. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderPrometheus, type SignalingMetricsSnapshot } from './metrics.js';

export interface HttpRouteContext {
  readonly isStopping: () => boolean;
  readonly metrics: () => SignalingMetricsSnapshot;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(text);
}

export function handleHttpRequest(request: IncomingMessage, response: ServerResponse, context: HttpRouteContext): void {
  const url = new URL(request.url ?? '/', 'http://signaling.invalid');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return sendJson(response, 405, { error: 'method not allowed' });
  }
  switch (url.pathname) {
    case '/healthz':
      return context.isStopping() ? sendJson(response, 503, { status: 'stopping' }) : sendJson(response, 200, { status: 'ok' });
    case '/metrics': {
      const snapshot = context.metrics();
      const wantsJson = url.searchParams.get('format') === 'json' || (request.headers.accept ?? '').includes('application/json');
      if (wantsJson) return sendJson(response, 200, snapshot);
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      response.end(renderPrometheus(snapshot));
      return;
    }
    case '/':
      return sendJson(response, 200, { service: 'meshkeeper-signaling', websocket: 'connect with a WebSocket to this address' });
    default:
      return sendJson(response, 404, { error: 'not found' });
  }
}
