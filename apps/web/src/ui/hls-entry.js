// The entry of /hls.js (apps/web/build.mjs): hls.js's light build as an ES module, imported by the page
// only when it first plays a p2m broadcast (src/ui/hls-loader.ts).
export { default } from 'hls.js';
