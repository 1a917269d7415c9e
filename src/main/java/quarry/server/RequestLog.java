package quarry.server;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Gives every request an id and writes one line per request once it is answered:
 * {@code request id=… method=… route=… status=… ms=… caller=… bytes=…}. The id comes from the
 * caller's {@code X-Request-Id} when that is a short safe token, else it is made here; either way
 * it is echoed in the reply's {@code X-Request-Id} and is the id of a 500's error. The line holds
 * the route template, never the path, the query string or a body (they can hold secrets and
 * people's data), and the caller's token name, never the token.
 */
final class RequestLog implements Filter {

    static final String HEADER = "X-Request-Id";
    /** Request attributes the server's handlers fill in for the line. */
    static final String ID = "quarry.requestId";
    static final String ROUTE = "quarry.route";
    static final String CALLER = "quarry.callerName";
    /** Letters, digits and {@code . _ -}, starting with a letter or digit: safe in a header, a log and a URL. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._/{}@:-]+");

    /** Where the request ends: the line, and its latency for the metrics. */
    interface Sink {
        void ended(String line, String route, String method, int status, long nanos);
    }

    private final Sink sink;

    RequestLog(Sink sink) {
        this.sink = sink;
    }

    /** A sink that logs the line through {@code log} and times the request in {@code metrics}. */
    static Sink to(Consumer<String> log, Metrics metrics) {
        return (line, route, method, status, nanos) -> {
            metrics.request(route, method, status, nanos);
            log.accept(line);
        };
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse res)) {
            chain.doFilter(request, response);
            return;
        }
        long start = System.nanoTime();
        String id = id(req.getHeader(HEADER));
        req.setAttribute(ID, id);
        res.setHeader(HEADER, id);
        Counting counted = new Counting(res);
        try {
            chain.doFilter(req, counted);
        } finally {
            long nanos = System.nanoTime() - start;
            int status = res.getStatus();
            // No route: the page's static files, or a path nothing serves (never the path itself).
            String route = req.getAttribute(ROUTE) instanceof String r ? r : status >= 400 ? "unmatched" : "static";
            String caller = req.getAttribute(CALLER) instanceof String c ? c : null;
            String line = "request id=" + id + " method=" + value(req.getMethod()) + " route=" + value(route)
                    + " status=" + status + " ms=" + String.format(Locale.ROOT, "%.1f", nanos / 1e6)
                    + " caller=" + value(caller) + " bytes=" + counted.bytes();
            sink.ended(line, route, req.getMethod(), status, nanos);
        }
    }

    /** The caller's id when it is a short safe token, else a new one. */
    static String id(String offered) {
        if (offered != null && SAFE_ID.matcher(offered).matches()) {
            return offered;
        }
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /**
     * A value as the line shows it: plain when it is only safe characters, else in quotes with
     * quotes, backslashes and every control or invisible character escaped, so no value can end the
     * line, start another or pass for another field.
     */
    static String value(String v) {
        if (v == null || v.isEmpty()) {
            return "-";
        }
        if (PLAIN.matcher(v).matches()) {
            return v;
        }
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || !visible(c)) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static boolean visible(char c) {
        int type = Character.getType(c);
        return type != Character.CONTROL && type != Character.FORMAT && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR && type != Character.SURROGATE
                && type != Character.UNASSIGNED;
    }

    /** The response, counting the body bytes written through it. */
    private static final class Counting extends HttpServletResponseWrapper {
        private long bytes;
        private ServletOutputStream out;
        private PrintWriter writer;

        Counting(HttpServletResponse response) {
            super(response);
        }

        long bytes() {
            if (writer != null) {
                writer.flush();
            }
            return bytes;
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (out == null) {
                ServletOutputStream inner = super.getOutputStream();
                out = new ServletOutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        inner.write(b);
                        bytes++;
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        inner.write(b, off, len);
                        bytes += len;
                    }

                    @Override
                    public void flush() throws IOException {
                        inner.flush();
                    }

                    @Override
                    public void close() throws IOException {
                        inner.close();
                    }

                    @Override
                    public boolean isReady() {
                        return inner.isReady();
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                        inner.setWriteListener(listener);
                    }
                };
            }
            return out;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (writer == null) {
                writer = new PrintWriter(new OutputStreamWriter(getOutputStream(), Charset.forName(
                        getCharacterEncoding())));
            }
            return writer;
        }
    }
}
