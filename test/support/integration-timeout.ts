// Integration tests drive real ffmpeg renders on a 2-core machine; each test still polls with its own deadline.
jest.setTimeout(300_000);
