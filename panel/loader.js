// A classic script for sites that take only a plain script URL (a Wix custom element's server URL):
// it loads the panel's module from beside itself. Pages that can should load loyalty-panel.js as a
// module directly (one request fewer).
(() => {
  const here = document.currentScript && document.currentScript.src;
  import(new URL("./loyalty-panel.js", here || document.baseURI).href);
})();
