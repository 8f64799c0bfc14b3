import { BackboneError } from '#errors';
import { errorFields } from './error-fields';

describe('what a log line says of an error', () => {
  it('given a driver error quoting a value, keeps its codes and frames, not its message', () => {
    const error = Object.assign(new Error('invalid input syntax: "ada@example.com"'), { code: '22P02' });
    const fields = errorFields(
      new BackboneError('store_unavailable', 'the store failed on ada@example.com', { cause: error }),
    );
    expect(fields).toMatchObject({
      errorType: 'BackboneError',
      code: 'store_unavailable',
      cause: { errorType: 'Error', code: '22P02' },
    });
    expect(JSON.stringify(fields)).not.toContain('ada@example.com');
    expect((fields.stack as string[])[0]).toMatch(/^at /);
  });

  it('given something thrown that is not an error, names its type', () => {
    expect(errorFields('boom')).toEqual({ errorType: 'string' });
  });
});
