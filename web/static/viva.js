/* Shared helpers for Viva's pages. Every piece of text from the server or the candidate is set with
   textContent: nothing is ever parsed as HTML. */
"use strict";

const Viva = (() => {
  const STORE = "viva.interviews";

  /* The interviews this browser started: {id: token}. Tokens never go in a URL. */
  function saved() {
    try { return JSON.parse(localStorage.getItem(STORE) || "{}"); } catch { return {}; }
  }
  function remember(id, token) {
    const all = saved(); all[id] = token;
    localStorage.setItem(STORE, JSON.stringify(all));
    localStorage.setItem("viva.current", id);
  }
  function current() {
    const id = localStorage.getItem("viva.current");
    const token = id && saved()[id];
    return token ? { id, token } : null;
  }
  function forgetCurrent() { localStorage.removeItem("viva.current"); }
  function tokenFor(id) { return saved()[id] || null; }

  /* 32 random hex digits. crypto.getRandomValues works on plain http too (crypto.randomUUID needs
     https or localhost, and Viva is often served on a LAN address). */
  function randomKey() {
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* This browser's own candidate key, made once: the report compares interviews with the same name and key. */
  function candidateKey() {
    let key = localStorage.getItem("viva.candidate_key");
    if (!key || key.length < 8) {
      key = randomKey();
      localStorage.setItem("viva.candidate_key", key);
    }
    return key;
  }

  /* Build an element: el("p", {class: "x"}, "text", child, ...). Strings become text nodes. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === false || value === null || value === undefined) continue;
      node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /* Fetch from the API; JSON answers come back parsed unless `blob` asks for the raw body (downloads, images). */
  async function api(path, { method = "GET", token = null, body = null, headers = {}, blob = false } = {}) {
    const options = { method, headers: { ...headers } };
    if (token) options.headers.Authorization = `Bearer ${token}`;
    if (body !== null) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch {
      /* The browser's own words ("Failed to fetch") tell a candidate nothing. */
      const error = new Error("The server could not be reached: check your connection, or wait a moment.");
      error.status = 0;
      error.code = "unreachable";
      throw error;
    }
    const type = response.headers.get("Content-Type") || "";
    const data = type.includes("application/json") && !(blob && response.ok) ? await response.json() : await response.blob();
    if (!response.ok) {
      const message = (data && data.error && data.error.message) || `The server answered ${response.status}.`;
      const error = new Error(message);
      error.status = response.status;
      error.code = data && data.error && data.error.code;
      throw error;
    }
    return data;
  }

  function words(text) { return (text.match(/[^\s]+/g) || []).length; }

  return { saved, remember, current, forgetCurrent, tokenFor, randomKey, candidateKey, el, api, words };
})();
