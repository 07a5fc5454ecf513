// Builds DOM nodes from data. Text always goes in as text nodes (never innerHTML), so anything an event carries is
// shown, never interpreted.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(node, child);
    } else if (child instanceof Node) {
      node.append(child);
    } else {
      node.append(document.createTextNode(String(child)));
    }
  }
  return node;
}

function setAttributes(node, attributes) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  return node;
}

/** An HTML element: el('li', { class: 'x' }, 'text', child). */
export function el(tag, attributes, ...children) {
  return append(setAttributes(document.createElement(tag), attributes), children);
}

/** An SVG element; attributes are set as given, text children become text nodes. */
export function svg(tag, attributes, ...children) {
  return append(setAttributes(document.createElementNS(SVG_NS, tag), attributes), children);
}

/** Replaces a node's children. */
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}
