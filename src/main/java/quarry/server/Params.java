package quarry.server;

import io.javalin.http.Context;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import quarry.core.DomainException;
import quarry.project.Access;

/** What handlers read off a request besides its body: the caller, query parameters, the output. */
final class Params {

    static final String CALLER = "quarry.caller";

    private Params() {
    }

    static Access.Caller caller(Context ctx) {
        return ctx.attribute(CALLER);
    }

    static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String raw = ctx.queryParam(name);
        long v;
        try {
            v = raw == null ? fallback : Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new DomainException.InvalidInput("bad_request", "query parameter '" + name + "' must be a whole"
                    + " number, got '" + raw + "'", Map.of("parameter", name));
        }
        if (v < min || v > max) {
            throw new DomainException.InvalidInput("bad_request", "query parameter '" + name + "' must be in ["
                    + min + ", " + max + "], got " + v, Map.of("parameter", name));
        }
        return (int) v;
    }

    /** A yes/no query parameter: absent is false; anything but "true" or "false" is refused. */
    static boolean flag(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.equals("false")) {
            return false;
        }
        if (raw.equals("true")) {
            return true;
        }
        throw new DomainException.InvalidInput("bad_request", "query parameter '" + name + "' must be true or false,"
                + " got '" + raw + "'", Map.of("parameter", name));
    }

    /** Refuses a query string whose percent-encoding is broken, rather than reading it as absent. */
    static void checkQuery(Context ctx) {
        String raw = ctx.queryString();
        if (raw == null) {
            return;
        }
        for (String part : raw.split("&")) {
            try {
                URLDecoder.decode(part, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new DomainException.InvalidInput("bad_request", "malformed percent-encoding in the query"
                        + " string", Map.of("parameter", part.split("=", 2)[0]));
            }
        }
    }

    /** {@code ?format=csv} (true) or {@code jsonl} (false, the default). */
    static boolean csv(Context ctx) {
        String f = Optional.ofNullable(ctx.queryParam("format")).orElse("jsonl");
        if (!f.equals("csv") && !f.equals("jsonl")) {
            throw new DomainException.InvalidInput("format must be jsonl or csv, got '" + f + "'");
        }
        return f.equals("csv");
    }

    /** {@code ?format=}: jsonl (the default), csv, or one of the interchange formats when {@code interchange}. */
    static quarry.data.ImportFormat format(Context ctx, boolean interchange) {
        String f = Optional.ofNullable(ctx.queryParam("format")).orElse("jsonl");
        Optional<quarry.data.ImportFormat> named = quarry.data.ImportFormat.named(f);
        if (named.isEmpty() || (!interchange && named.get().interchange())) {
            throw new DomainException.InvalidInput("bad_request", "format must be " + (interchange
                    ? "jsonl, csv, labelstudio, argilla or prodigy" : "jsonl or csv") + ", got '" + f + "'",
                    Map.of("parameter", "format"));
        }
        return named.get();
    }

    static Writer writer(Context ctx) throws IOException {
        return new BufferedWriter(new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8));
    }
}
