// The one function @medusajs/js-sdk takes from `qs`: stringify, in qs's default style (brackets, array indices,
// `skipNulls`). `qs` itself is CommonJS, which a browser cannot import without a bundler; this file stands in for
// it so the SDK's own ES modules run unchanged in the page.
export function stringify(object, { skipNulls = false } = {}) {
  const parts = [];
  const add = (key, value) => {
    if (value === undefined || (value === null && skipNulls)) {
      return;
    }
    if (value === null) {
      parts.push(`${encodeURIComponent(key)}=`);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => add(`${key}[${index}]`, item));
    } else if (typeof value === "object" && !(value instanceof Date)) {
      for (const [name, item] of Object.entries(value)) {
        add(`${key}[${name}]`, item);
      }
    } else {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value instanceof Date ? value.toISOString() : String(value))}`);
    }
  };
  for (const [key, value] of Object.entries(object ?? {})) {
    add(key, value);
  }
  return parts.join("&");
}
