// Must NOT type-check: consumer/run.sh asserts that tsc fails here with TS2345, proving the shipped
// declarations are real types rather than `any`.
import { Matcher } from '@twinnet/core/node';

const matcher = await Matcher.load('matcher');
// A label is a string, and an image is pixels, not a file name.
matcher.add(7, 'seven.png');
