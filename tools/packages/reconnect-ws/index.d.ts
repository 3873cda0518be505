import { EventEmitter } from 'node:events';

declare namespace reconnect {
  interface Options {
    initialDelay?: number;
    maxDelay?: number;
    type?: 'fibonacci' | 'exponential';
    randomisationFactor?: number;
    failAfter?: number;
  }
  interface Transport {
    writable: boolean;
    send(message: string): boolean;
    addEventListener(type: 'message', listener: (event: { data: string | Buffer }) => void): void;
    removeEventListener(type: 'message', listener: (event: { data: string | Buffer }) => void): void;
    close(): void;
  }
  interface Reconnector extends EventEmitter {
    connected: boolean;
    reconnect: boolean;
    connect(url: string, socketOptions?: object): Reconnector;
    disconnect(): Reconnector;
    reset(): Reconnector;
  }
}

declare function reconnect(
  options: reconnect.Options | undefined,
  onConnect?: (transport: reconnect.Transport) => void,
): reconnect.Reconnector;

export = reconnect;
