/**
 * SQL as it may be logged: every literal replaced by `?`. Sequelize inlines `where` values and
 * replacements into the statement it logs, so a trace log would otherwise print password hashes,
 * token hashes, sealed state and anything else a query carries. Quoted strings (with '' escapes,
 * E'' and U&'' forms), dollar-quoted bodies and numbers go; identifiers ("quoted" or bare,
 * including ones with digits like t_1a2b), keywords, operators and $1 bind markers stay. One
 * linear pass, no regex over the statement. Pure.
 */
export function redactSql(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "'") {
      i = skipQuoted(sql, i + 1, "'");
      out += '?';
    } else if (c === '"') {
      const end = skipQuoted(sql, i + 1, '"');
      out += sql.slice(i, end);
      i = end;
    } else if (c === '$' && isDigit(sql[i + 1])) {
      let j = i + 1;
      while (j < n && isDigit(sql[j])) j++;
      out += sql.slice(i, j); // a bind marker, not a value
      i = j;
    } else if (c === '$') {
      const tagEnd = sql.indexOf('$', i + 1);
      const tag = tagEnd > i ? sql.slice(i, tagEnd + 1) : '';
      if (tag && /^\$[A-Za-z_]*\$$/.test(tag)) {
        const close = sql.indexOf(tag, tagEnd + 1);
        i = close < 0 ? n : close + tag.length;
        out += '?';
      } else {
        out += c;
        i++;
      }
    } else if (isDigit(c) || (c === '.' && isDigit(sql[i + 1]))) {
      let j = i;
      while (j < n && (isWordChar(sql[j]) || sql[j] === '.' || ((sql[j] === '+' || sql[j] === '-') && /[eE]/.test(sql[j - 1])))) j++;
      out += '?';
      i = j;
    } else if (isWordChar(c)) {
      let j = i;
      while (j < n && isWordChar(sql[j])) j++;
      const word = sql.slice(i, j);
      // E'…', X'…', B'…', U&'…' string prefixes belong to the literal.
      if (sql[j] === "'" && /^[eEbBxXnN]$/.test(word)) {
        i = skipQuoted(sql, j + 1, "'", /^[eE]$/.test(word));
        out += '?';
      } else if (/^[uU]$/.test(word) && sql[j] === '&' && sql[j + 1] === "'") {
        i = skipQuoted(sql, j + 2, "'");
        out += '?';
      } else {
        out += word;
        i = j;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * The index after the closing quote; a doubled quote is an escaped one. Backslash escapes exist
 * only in E'' strings (standard strings take `\` literally, which is how Sequelize writes values).
 */
function skipQuoted(sql: string, from: number, quote: string, backslashEscapes = false): number {
  let i = from;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === '\\') i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i + 1;
    else i++;
  }
  return sql.length;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && (c === '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c.charCodeAt(0) > 127);
}
