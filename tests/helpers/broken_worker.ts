// A worker that fails as it loads: the compressor must fall back to its own thread.
throw new Error("this worker is broken on purpose");
