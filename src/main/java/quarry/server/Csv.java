package quarry.server;

import java.util.List;

/** Writes CSV rows (RFC 4180 quoting). */
final class Csv {

    private Csv() {
    }

    static String row(List<String> fields) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                s.append(',');
            }
            String f = fields.get(i) == null ? "" : fields.get(i);
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                s.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                s.append(f);
            }
        }
        return s.append('\n').toString();
    }
}
