// Links the widget will draw: web pages, phone calls and text messages only.
// Anything else (javascript:, data:, relative paths) is shown as plain text.
const ALLOWED_PROTOCOLS = new Set(["http:", "https:", "tel:", "sms:"]);

export function safeHref(href) {
  if (typeof href !== "string" || !href.trim()) return null;
  let url;
  try {
    url = new URL(href.trim()); // absolute URLs only: no base, so "/x" throws
  } catch (_) {
    return null;
  }
  return ALLOWED_PROTOCOLS.has(url.protocol) ? url.href : null;
}

// "(555) 555-0134" -> "tel:5555550134"; null when there is no number to dial.
export function phoneHref(display) {
  const digits = String(display || "").replace(/[^\d+]/g, "");
  return digits.replace(/\D/g, "").length >= 3 ? `tel:${digits}` : null;
}

export function link(text, href, className) {
  const safe = safeHref(href);
  if (!safe) {
    const span = document.createElement("span");
    span.textContent = text;
    return span;
  }
  const a = document.createElement("a");
  a.href = safe;
  a.textContent = text;
  if (className) a.className = className;
  if (safe.startsWith("http")) {
    // A new tab keeps the conversation open; noopener stops the page from
    // reaching back into the clinic's window, noreferrer keeps the URL private.
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    const hint = document.createElement("span");
    hint.className = "kw-sr";
    hint.textContent = " (opens in a new tab)";
    a.appendChild(hint);
  }
  return a;
}
