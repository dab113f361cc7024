// The widget's settings, read from the data- attributes of its own <script> tag.
import { safeHref } from "./links.js";

const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const DEFAULT_PRIMARY = "#1f5f63";
const WHITE = "#ffffff";
// The bot's speech bubbles; links drawn in the accent colour sit on it.
export const BUBBLE = "#f1f4f6";

export function readConfig(script) {
  const data = (script && script.dataset) || {};
  const scriptUrl = new URL((script && script.src) || document.baseURI, document.baseURI);
  return {
    server: serverUrl(data.server, scriptUrl),
    // widget.css is always published beside widget.js.
    cssUrl: new URL("widget.css", scriptUrl).href,
    clinicName: (data.clinicName || "").trim() || "the clinic",
    clinicPhone: (data.clinicPhone || "").trim(),
    primary: HEX_COLOUR.test(data.primaryColor || "") ? expand(data.primaryColor) : DEFAULT_PRIMARY,
  };
}

// Without data-server, the assistant is the server the widget came from.
function serverUrl(value, scriptUrl) {
  const given = (value || "").trim();
  let url = null;
  try {
    url = given && safeHref(new URL(given, scriptUrl).href);
  } catch (_) {
    // Not a URL: use the widget's own server.
  }
  const base = url && url.startsWith("http") ? url : scriptUrl.origin;
  return base.replace(/\/+$/, "");
}

function expand(hex) {
  const digits = hex.slice(1);
  return "#" + (digits.length === 3 ? digits.replace(/./g, "$&$&") : digits).toLowerCase();
}

function luminance(hex) {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

// A clinic picks any brand colour; text on it and links in it must still
// meet WCAG AA (4.5:1), so a colour too light for that falls back to black
// text on it and dark ink for links.
export function themeProperties(primary) {
  return {
    "--kw-primary": primary,
    "--kw-on-primary": contrast(primary, WHITE) >= 4.5 ? WHITE : "#000000",
    "--kw-accent": contrast(primary, BUBBLE) >= 4.5 ? primary : "#1f2933",
  };
}
