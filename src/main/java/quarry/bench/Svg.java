package quarry.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Small SVG line plots for docs/: plain text, diffable, no plotting library. */
final class Svg {

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
    private static final int W = 640;
    private static final int H = 400;
    private static final int LEFT = 60;
    private static final int RIGHT = 170;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private Svg() {
    }

    /**
     * Mean accuracy against wave-2 labels per arm (points where every seed has one); arms with a
     * single point (the whole wave) are drawn as a marker.
     */
    static void recovery(Path file, String title, Map<String, List<DriftBenchCommand.Curve>> curves) throws IOException {
        Map<String, double[][]> lines = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, List<DriftBenchCommand.Curve>> e : curves.entrySet()) {
            Map<Integer, double[]> sum = new TreeMap<>();
            for (DriftBenchCommand.Curve c : e.getValue()) {
                for (int i = 0; i < c.labels().size(); i++) {
                    double[] s = sum.computeIfAbsent(c.labels().get(i)[0], k -> new double[2]);
                    s[0] += c.accuracy().get(i);
                    s[1]++;
                }
            }
            int seeds = e.getValue().size();
            List<double[]> points = new ArrayList<>();
            sum.forEach((labels, s) -> {
                if (s[1] == seeds) {
                    points.add(new double[] {labels, s[0] / s[1]});
                }
            });
            lines.put(e.getKey(), points.toArray(double[][]::new));
        }
        write(file, title, "labels in wave 2", "accuracy, all intents", lines);
    }

    static void write(Path file, String title, String xLabel, String yLabel, Map<String, double[][]> lines)
            throws IOException {
        double xMax = 1;
        double yMin = 1;
        double yMax = 0;
        for (double[][] l : lines.values()) {
            for (double[] p : l) {
                xMax = l.length > 1 ? Math.max(xMax, p[0]) : xMax;
                yMin = Math.min(yMin, p[1]);
                yMax = Math.max(yMax, p[1]);
            }
        }
        yMin = Math.floor(yMin * 20) / 20;
        yMax = Math.ceil(yMax * 20) / 20;
        if (yMax <= yMin) {
            yMax = yMin + 0.05;
        }
        double pw = W - LEFT - RIGHT;
        double ph = H - TOP - BOTTOM;
        double fx = pw / xMax;
        double fy = ph / (yMax - yMin);
        double y0 = yMin;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n", LEFT,
                escape(title)));
        for (int i = 0; i <= 4; i++) {
            double v = yMin + i * (yMax - yMin) / 4;
            double py = TOP + ph - (v - y0) * fy;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>%n", LEFT, py, LEFT + pw, py, LEFT - 5,
                    py + 4, v));
            double xv = i * xMax / 4;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>%n",
                    LEFT + xv * fx, TOP + ph + 18, xv));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                + "stroke=\"black\"/>%n", LEFT, TOP, pw, ph));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + pw / 2, H - 10, escape(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(14 %.1f) rotate(-90)\" "
                + "text-anchor=\"middle\">%s</text>%n", TOP + ph / 2, escape(yLabel)));
        int k = 0;
        for (Map.Entry<String, double[][]> e : lines.entrySet()) {
            String colour = COLOURS[k % COLOURS.length];
            double[][] pts = e.getValue();
            String name = e.getKey();
            if (pts.length == 1) {
                // a level, not a curve: the whole wave's accuracy (at its own label count), or a target
                double py = TOP + ph - (pts[0][1] - y0) * fy;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                        + "stroke=\"%s\" stroke-dasharray=\"6 4\" stroke-width=\"2\"/>%n", LEFT, py, LEFT + pw, py, colour));
                name = pts[0][0] > 0 ? String.format(Locale.ROOT, "%s (%.0f labels)", name, pts[0][0]) : name;
            }
            StringBuilder path = new StringBuilder();
            for (double[] p : pts.length == 1 ? new double[0][] : pts) {
                path.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + p[0] * fx, TOP + ph - (p[1] - y0) * fy));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                        LEFT + p[0] * fx, TOP + ph - (p[1] - y0) * fy, colour));
            }
            if (pts.length > 1) {
                svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                        + "stroke-width=\"2\"/>%n", path.toString().trim(), colour));
            }
            double ly = TOP + 10 + 20 * k;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>%n", LEFT + pw + 10, ly, LEFT + pw + 30,
                    ly, colour, LEFT + pw + 35, ly + 4, escape(name)));
            k++;
        }
        svg.append("</svg>\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, svg, StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
