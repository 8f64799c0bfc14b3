import { escapeLiteral } from 'pg';
import { sqlLiteral } from './sql-literal';

describe('sqlLiteral', () => {
  it.each([
    ['plain', 'abc'],
    ['empty', ''],
    ['quotes', `it's ''two'' '`],
    ['backslashes', 'a\\b\\\\c\\'],
    ['both', `\\' it\\'s '\\`],
    ['unicode and controls', 'café ☕ 𝄞 \n\t\r \u2028'],
    ['json', JSON.stringify({ a: "it's", b: 'c:\\dir', c: [1, null] })],
  ])('given %s, when quoted, then the text is what pg.escapeLiteral gives', (_, value) => {
    expect(sqlLiteral(value)).toBe(escapeLiteral(value));
  });
});
