package quarry.data;

import java.util.List;

/**
 * Writes CSV rows (RFC 4180 quoting). A cell that a spreadsheet would run as a formula (starting
 * with {@code = + - @}, a tab or a carriage return) gets a leading {@code '}, as OWASP advises for
 * CSV injection, so the file is safe to open; the rest of the cell is kept as it was.
 */
public final class Csv {

    private Csv() {
    }

    public static String row(List<String> fields) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                s.append(',');
            }
            String f = neutralise(fields.get(i) == null ? "" : fields.get(i));
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                s.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                s.append(f);
            }
        }
        return s.append('\n').toString();
    }

    public static String neutralise(String cell) {
        return !cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0 ? "'" + cell : cell;
    }
}
