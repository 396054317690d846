/// <reference lib="webworker" />
/**
 * The floor bench's SharedWorker: hands a MessagePort from one tab to the other tab connected to
 * it, so the two tabs' workers can talk over a port of their own.
 */
declare const self: SharedWorkerGlobalScope;
export {};

const tabs: MessagePort[] = [];
self.onconnect = (event: MessageEvent) => {
  const tab = event.ports[0];
  if (tab === undefined) return;
  tabs.push(tab);
  tab.onmessage = (message: MessageEvent<{ readonly give: MessagePort }>) => {
    const other = tabs.find((candidate) => candidate !== tab);
    if (other !== undefined) other.postMessage({ take: message.data.give }, [message.data.give]);
    else tab.postMessage({ refused: 'no other tab is connected to the broker' });
  };
};
