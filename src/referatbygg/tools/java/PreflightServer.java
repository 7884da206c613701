// A long-lived PDFBox Preflight: one JVM for many files. Reads one PDF path per line on stdin;
// answers with "VALID true|false", one "ERROR <code>\t<details>" line per finding (or
// "FAIL <message>" when the file cannot be validated at all), then "END".
// Compiled on first use by referatbygg (tools/preflight.py); the per-file Validator_A1b
// command remains the fallback.
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.pdfbox.preflight.PreflightDocument;
import org.apache.pdfbox.preflight.ValidationResult;
import org.apache.pdfbox.preflight.ValidationResult.ValidationError;
import org.apache.pdfbox.preflight.exception.SyntaxValidationException;
import org.apache.pdfbox.preflight.parser.PreflightParser;

public final class PreflightServer {
    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        String path;
        while ((path = in.readLine()) != null) {
            try {
                ValidationResult result;
                PreflightParser parser = new PreflightParser(new File(path));
                try {
                    parser.parse();
                    try (PreflightDocument document = parser.getPreflightDocument()) {
                        document.validate();
                        result = document.getResult();
                    }
                } catch (SyntaxValidationException e) {
                    result = e.getResult();
                }
                out.println("VALID " + result.isValid());
                for (ValidationError error : result.getErrorsList()) {
                    out.println("ERROR " + error.getErrorCode() + "\t" + oneLine(error.getDetails()));
                }
            } catch (Throwable e) {
                out.println("FAIL " + oneLine(e.toString()));
            }
            out.println("END");
        }
    }
}
