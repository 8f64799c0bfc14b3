import { jsonContentTypeProblem } from './json-content-type';

describe('the content type of an event body', () => {
  it.each([
    'application/json',
    'application/cloudevents+json',
    'application/cloudevents-batch+json',
    'APPLICATION/JSON',
    'application/json; charset=utf-8',
    'application/json;charset="UTF-8"',
    'application/cloudevents+json ; charset=utf-8 ;',
  ])('given %j, it is taken', (header) => {
    expect(jsonContentTypeProblem(header)).toBeNull();
  });

  it.each([
    [undefined, /none was given/],
    ['', /none was given/],
    ['text/plain', /not "text\/plain"/],
    ['application/json-seq', /not/],
    ['application/jsonx', /not/],
    ['application/json-patch+json', /not/],
    ['application/json; charset=utf-16', /charset must be utf-8, not "utf-16"/],
    ['application/json; charset=latin1', /charset must be utf-8/],
    ['application/json; boundary=x', /parameter "boundary=x" is not taken/],
    [';;;', /not/],
    ['/', /not/],
  ])('given %j, it is refused saying why', (header, message) => {
    expect(jsonContentTypeProblem(header)).toMatch(message);
  });
});
