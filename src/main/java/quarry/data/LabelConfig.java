package quarry.data;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import quarry.core.DomainException;

/**
 * What Quarry needs of a Label Studio labeling config: the {@code <Choices>} control (its name is
 * a result's {@code from_name}, its {@code toName} the {@code to_name}), whether it takes several
 * choices, the choices, and the task data key of the text it labels ({@code <Text value="$text">}).
 *
 * <p>The XML comes from a request: it is parsed with DOCTYPEs refused outright, so no external
 * entity, entity expansion or external schema is ever read.
 */
public record LabelConfig(String fromName, String toName, String textKey, boolean multiple, List<String> choices) {

    /** Names Quarry's own exports use, for requests that send no config. */
    public static final LabelConfig DEFAULT = new LabelConfig(LabelStudioTasks.FROM_NAME, LabelStudioTasks.TO_NAME,
            "text", false, List.of());

    /** Configs are small; a larger one is not a labeling config. */
    static final int MAX_CHARS = 512 * 1024;

    public LabelConfig {
        choices = List.copyOf(choices);
    }

    /** The config of {@code xml}, or a 400 naming {@code field} and what is wrong. */
    public static LabelConfig parse(String xml, String field) {
        if (xml.length() > MAX_CHARS) {
            throw invalid(field, "the label config is longer than " + MAX_CHARS + " characters");
        }
        org.w3c.dom.Document doc;
        try {
            doc = builder().parse(new InputSource(new StringReader(xml)));
        } catch (SAXException e) {
            throw invalid(field, "not a well-formed label config (DOCTYPEs and entities are refused): "
                    + e.getMessage());
        } catch (java.io.IOException e) {
            throw invalid(field, "unreadable label config: " + e.getMessage());
        }
        NodeList controls = doc.getElementsByTagName("Choices");
        if (controls.getLength() == 0) {
            throw invalid(field, "the label config has no <Choices> control; Quarry classifies texts into choices");
        }
        Element c = (Element) controls.item(0);
        String name = c.getAttribute("name");
        String toName = c.getAttribute("toName");
        if (name.isEmpty() || toName.isEmpty()) {
            throw invalid(field, "the <Choices> control needs both 'name' and 'toName'");
        }
        List<String> choices = new ArrayList<>();
        NodeList items = c.getElementsByTagName("Choice");
        for (int i = 0; i < items.getLength(); i++) {
            Element choice = (Element) items.item(i);
            // A result carries a choice's alias where it has one, else its value.
            String alias = choice.getAttribute("alias");
            choices.add(alias.isEmpty() ? choice.getAttribute("value") : alias);
        }
        String textKey = "text";
        NodeList texts = doc.getElementsByTagName("Text");
        for (int i = 0; i < texts.getLength(); i++) {
            Element t = (Element) texts.item(i);
            String value = t.getAttribute("value");
            if (t.getAttribute("name").equals(toName) && value.startsWith("$") && value.length() > 1) {
                textKey = value.substring(1);
            }
        }
        return new LabelConfig(name, toName, textKey, "multiple".equals(c.getAttribute("choice")), choices);
    }

    private static DocumentBuilder builder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // throws on fatal errors, prints nothing
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the XML parser cannot be made safe", e);
        }
    }

    static DomainException.InvalidInput invalid(String field, String message) {
        return new DomainException.InvalidInput("bad_request", "field '" + field + "': " + message,
                Map.of("field", field));
    }
}
