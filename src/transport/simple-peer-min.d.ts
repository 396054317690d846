// simple-peer's prebuilt browser bundle (UMD, no Node polyfills needed under vite), typed by
// @types/simple-peer. `import SimplePeer from 'simple-peer/simplepeer.min.js'`.
declare module 'simple-peer/simplepeer.min.js' {
  import SimplePeer from 'simple-peer';
  export default SimplePeer;
}
