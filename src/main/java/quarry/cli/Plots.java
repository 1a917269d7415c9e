package quarry.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import quarry.eval.LearningCurve;

/** Learning-curve plots as PNG files (XChart, rendered headless). */
final class Plots {

    private Plots() {
    }

    /**
     * One line per strategy (labels → score), plus a dashed horizontal line at the full-data
     * score when it is a number.
     */
    static void learningCurves(Path png, String title, String yLabel, Map<String, LearningCurve> curves,
            double fullData) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle("labels")
                .yAxisTitle(yLabel).build();
        chart.getStyler().setMarkerSize(4);
        int maxLabels = 0;
        for (Map.Entry<String, LearningCurve> e : curves.entrySet()) {
            double[] x = e.getValue().points().stream().mapToDouble(LearningCurve.Point::labels).toArray();
            double[] y = e.getValue().points().stream().mapToDouble(LearningCurve.Point::score).toArray();
            if (x.length > 0) {
                chart.addSeries(e.getKey(), x, y);
                maxLabels = Math.max(maxLabels, (int) x[x.length - 1]);
            }
        }
        if (!Double.isNaN(fullData) && maxLabels > 0) {
            XYSeries ceiling = chart.addSeries("full data", new double[] {0, maxLabels},
                    new double[] {fullData, fullData});
            ceiling.setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
