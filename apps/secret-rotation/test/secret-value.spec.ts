import { parseSecret, withPassword } from '../src/secret-value';

describe('parseSecret', () => {
  it('reads the credentials and keeps every other field', () => {
    expect(parseSecret('{"username":"admin","password":"p4ss","engine":"mysql"}', 'AWSCURRENT')).toEqual({
      credentials: { username: 'admin', password: 'p4ss' },
      fields: { username: 'admin', password: 'p4ss', engine: 'mysql' },
    });
  });

  it.each([
    ['not JSON, and the text is not quoted back', 'hunter2-not-json', 'AWSCURRENT is not JSON'],
    ['an array', '["hunter2"]', 'AWSCURRENT is not a JSON object'],
    ['no user name', '{"password":"hunter2"}', 'AWSCURRENT has no string fields "username" and "password"'],
    ['an empty password', '{"username":"admin","password":""}', 'AWSCURRENT has no string fields "username" and "password"'],
    ['no value at all', undefined, 'AWSCURRENT is not JSON'],
  ])('refuses %s', (_case, text, message) => {
    expect(() => parseSecret(text, 'AWSCURRENT')).toThrow(new Error(message));
  });

  it('never quotes the content in its message (JSON.parse would)', () => {
    const secret = '{"username":"admin","password":"hunter2",}';
    expect(() => JSON.parse(secret)).toThrow();
    let message = '';
    try {
      parseSecret(secret, 'AWSCURRENT');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('AWSCURRENT is not JSON');
  });
});

describe('withPassword', () => {
  it('replaces the password only', () => {
    const document = parseSecret('{"username":"admin","password":"old","engine":"mysql"}', 'AWSCURRENT');
    expect(JSON.parse(withPassword(document, 'new'))).toEqual({ username: 'admin', password: 'new', engine: 'mysql' });
  });
});
