// The panel's own styles, inside its shadow root: the store's CSS and these never mix. The accent
// is `--loyalty-accent` when the store sets it, else the program's accent colour, else green.

export const STYLES = `
:host { all: initial; display: block; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 16px; line-height: 1.45; color: #1d2421;
  --accent: var(--loyalty-accent, var(--loyalty-program-accent, #1f6f4a)); }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
button, a.button { font: inherit; cursor: pointer; border-radius: 6px; padding: 0.45rem 0.9rem;
  border: 2px solid var(--accent); background: var(--accent); color: #fff; text-decoration: none;
  display: inline-block; }
button.quiet, a.button.quiet { background: #fff; color: var(--accent); }
button:disabled { opacity: 0.55; cursor: progress; }
:focus-visible { outline: 3px solid #1b5fcc; outline-offset: 2px; }
.launcher { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; border-radius: 999px;
  padding: 0.7rem 1.2rem; font-weight: 600; box-shadow: 0 4px 14px rgba(0, 0, 0, 0.25); }
dialog { padding: 0; border: 0; border-radius: 12px; width: min(380px, calc(100vw - 16px)); max-width: none;
  max-height: calc(100vh - 32px); margin: auto 8px 16px auto; box-shadow: 0 10px 40px rgba(0, 0, 0, 0.3);
  color: inherit; overflow: hidden; }
dialog::backdrop { background: rgba(0, 0, 0, 0.25); }
dialog .panel { max-height: calc(100vh - 32px); overflow-y: auto; }
.panel { background: #fff; overflow-wrap: anywhere; }
:host([inline]) .panel { border: 1px solid #d5dcd8; border-radius: 12px; max-width: 40rem; }
header { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem;
  padding: 0.75rem 1rem; background: var(--accent); color: #fff; }
header h2 { margin: 0; font-size: 1.15rem; }
header button { background: #fff; color: var(--accent); padding: 0.25rem 0.6rem; }
.body { padding: 0.75rem 1rem 1rem; }
section { margin: 0 0 1rem; }
h3 { font-size: 1rem; margin: 0 0 0.4rem; }
p { margin: 0 0 0.5rem; }
.balance { font-size: 2rem; font-weight: 700; color: var(--accent); margin: 0; }
.lead { font-weight: 600; }
.muted { color: #5b6661; font-size: 0.9rem; }
.tier-progress { display: block; width: 100%; height: 0.5rem; margin: -0.25rem 0 0.5rem; accent-color: var(--accent); }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem; }
ul { list-style: none; margin: 0; padding: 0; }
ul.ways { margin: 0 0 0.5rem; } ul.ways li { padding: 0.1rem 0; }
li.reward { display: flex; align-items: center; justify-content: space-between; gap: 0.75rem;
  padding: 0.5rem 0; border-bottom: 1px solid #e4e9e6; }
li.reward .about { display: flex; flex-direction: column; flex: 1 1 auto; min-width: 0; }
li.reward .name { font-weight: 600; }
li.reward .cost { color: #5b6661; font-size: 0.9rem; }
li.reward .need { flex: 0 1 8rem; text-align: right; }
li.reward button { flex: none; }
li.line { display: flex; justify-content: space-between; gap: 0.5rem; padding: 0.3rem 0;
  border-bottom: 1px solid #eef2ef; }
li.line time { color: #5b6661; font-size: 0.85rem; white-space: nowrap; }
.coupon { border: 2px dashed var(--accent); border-radius: 8px; padding: 0.6rem; margin: 0 0 0.5rem; }
.code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 1.05rem; font-weight: 700;
  letter-spacing: 0.04em; user-select: all; }
.coupon .row { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem; }
.error { border: 2px solid #a3321f; background: #fff1ee; color: #7d2616; border-radius: 6px; padding: 0.5rem 0.75rem; }
.notice { border: 1px solid var(--accent); border-radius: 6px; padding: 0.5rem 0.75rem; }
`;
