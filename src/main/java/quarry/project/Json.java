package quarry.project;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * The one JSON mapper: what the API writes, what the store keeps (settings, reports, provenance)
 * and what job files hold. Unknown fields are refused, and NaN and infinities (a metric not
 * estimated yet) go out as null, never as the string "NaN".
 */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .registerModule(new SimpleModule("finite-numbers")
                    .addSerializer(Double.class, new FiniteNumber<>(Double.class))
                    .addSerializer(Double.TYPE, new FiniteNumber<>(Double.TYPE))
                    .addSerializer(Float.class, new FiniteNumber<>(Float.class))
                    .addSerializer(Float.TYPE, new FiniteNumber<>(Float.TYPE)));

    private Json() {
    }

    private static final class FiniteNumber<T extends Number> extends StdSerializer<T> {
        private static final long serialVersionUID = 1L;

        FiniteNumber(Class<T> type) {
            super(type);
        }

        @Override
        public void serialize(T v, JsonGenerator g, SerializerProvider p) throws IOException {
            if (v == null || Double.isNaN(v.doubleValue()) || Double.isInfinite(v.doubleValue())) {
                g.writeNull();
            } else if (v instanceof Float f) {
                g.writeNumber(f); // keeps the float's own short form: 0.1, not 0.10000000149011612
            } else {
                g.writeNumber(v.doubleValue());
            }
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Reads JSON that Quarry wrote itself (the store's settings and reports): a failure is a bug, not bad input. */
    public static <T> T readStored(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not a " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }
}
