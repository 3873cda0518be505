export * from './hls-player';
export * from './hls-url';
