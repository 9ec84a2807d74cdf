// Preloaded with `node --import` into every server the benchmark starts (OpenCIBA included —
// this touches none of its code). The benchmark keeps the child's stdin open as a pipe; when the
// benchmark dies, even by SIGKILL, the pipe closes and this turns that into a SIGTERM to ourselves,
// so the server shuts down the way it normally does instead of lingering as an orphan.
// Cost while running: one idle pipe read — nothing on the request path.
process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.resume();
// The pipe must not keep a server alive that wants to exit on its own.
process.stdin.unref?.();
