import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Reporting

@Suite struct AxisScaleTests {
    /// Hand-computed: range 0…0.87 over ~5 ticks → raw step 0.2175 → nice 0.2; ticks 0, 0.2, …, 1.0.
    @Test func niceTicksForUnitRange() {
        let s = AxisScale(min: 0, max: 0.87)
        #expect(s.step == 0.2)
        #expect(s.lower == 0)
        #expect(abs(s.upper - 1.0) < 1e-12)
        #expect(s.ticks.map { s.label($0) } == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    /// 0.25…8 bpe: raw step 1.9375 → nice 2; ticks 0, 2, 4, 6, 8 with integer labels.
    @Test func niceTicksForBitsPerElement() {
        let s = AxisScale(min: 0.25, max: 8)
        #expect(s.step == 2)
        #expect(s.ticks == [0, 2, 4, 6, 8])
        #expect(s.label(4) == "4")
    }

    /// 1…32 (channels): step 10 would run the axis to 40; step 5 ends at 35 with 8 ticks.
    @Test func tighterStepWhenItWastesLessAxis() {
        let s = AxisScale(min: 1, max: 32)
        #expect(s.step == 5)
        #expect(s.lower == 0 && s.upper == 35)
    }

    /// A constant series still gets a non-empty axis around its value.
    @Test func degenerateRangeIsWidened() {
        let s = AxisScale(min: 0.965, max: 0.965)
        #expect(s.lower < 0.965 && s.upper > 0.965)
    }
}

@Suite struct TextFormatTests {
    @Test func csvQuotesOnlyWhenNeeded() {
        var t = CSVTable(header: ["method", "bits"])
        t.append(["ilp-mi", "8,8,0"])
        t.append(["say \"hi\"", "plain"])
        #expect(t.text == "method,bits\nilp-mi,\"8,8,0\"\n\"say \"\"hi\"\"\",plain\n")
    }

    /// What the writer writes, the reader reads back field for field.
    @Test func csvRoundTrip() throws {
        var t = CSVTable(header: ["a", "b", "c"])
        t.append(["1", "x,y", "line\nbreak"])
        t.append(["\"q\"", "", "end"])
        let (header, rows) = try CSVReader.parse(t.text)
        #expect(header == ["a", "b", "c"])
        #expect(rows == [["1", "x,y", "line\nbreak"], ["\"q\"", "", "end"]])
    }

    @Test func csvReaderRejectsRaggedRowsAndOpenQuotes() {
        #expect(throws: CSVReader.Failure.self) { try CSVReader.parse("a,b\n1\n") }
        #expect(throws: CSVReader.Failure.self) { try CSVReader.parse("a,b\n\"1,2\n") }
        // CRLF line ends (RFC 4180) read like LF.
        #expect((try? CSVReader.parse("a,b\r\n1,2\r\n"))?.rows == [["1", "2"]])
    }

    @Test func jsonNumbersRoundTripAndKeysKeepOrder() {
        let doc = JSONValue.object([("b", .number(0.1)), ("a", .number(1.0 / 3.0)), ("n", .number(.nan)), ("i", .int(3)), ("w", .number(2))])
        let text = doc.rendered(pretty: false)
        #expect(text == "{\"b\":0.1,\"a\":0.3333333333333333,\"n\":null,\"i\":3,\"w\":2}")
        // The printed text parses back to the same doubles.
        let parsed = try! JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        #expect((parsed["a"] as! Double) == 1.0 / 3.0)
    }

    @Test func jsonEscapesControlCharacters() {
        #expect(JSONValue.string("a\"b\\c\n\u{01}").rendered() == "\"a\\\"b\\\\c\\n\\u0001\"")
    }
}

@Suite struct SVGTests {
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [(String, [String: String])] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            elements.append((name, attributes))
        }
    }

    func parse(_ svg: String) -> Collector? {
        let parser = XMLParser(data: Data(svg.utf8))
        let c = Collector()
        parser.delegate = c
        return parser.parse() ? c : nil
    }

    @Test func chartIsWellFormedAndLegendSitsBelowThePanels() throws {
        let panel = ChartPanel(title: "left <digit>", xLabel: "bits per element", yLabel: "accuracy",
                               series: [ChartSeries(name: "ilp-mi", points: [(0.5, 0.2), (2, 0.9)]),
                                        ChartSeries(name: "uniform", points: [(1, 0.7), (3, 0.95)], style: .markers)],
                               referenceLines: [ReferenceLine(y: 0.965, label: "clean")])
        let chart = Chart(title: "Fronts", panels: [panel, panel, panel])
        let svg = chart.svg(width: 900)
        let c = try #require(parse(svg))
        // The panels' frames end above every legend text.
        let frames = c.elements.filter { $0.0 == "rect" && $0.1["fill"] == "none" }
        #expect(frames.count == 3)
        let lowestFrame = frames.map { Double($0.1["y"]!)! + Double($0.1["height"]!)! }.max()!
        let legendTexts = c.elements.filter { $0.0 == "text" && $0.1["text-anchor"] == "start" && $0.1["font-size"] == "12" }
        #expect(legendTexts.count == 2)
        for t in legendTexts { #expect(Double(t.1["y"]!)! > lowestFrame + 30) }
        #expect(svg.contains("left &lt;digit&gt;"))
    }

    @Test func heatMapHasOneCellPerValue() throws {
        let map = HeatMap(title: "importance", rowLabel: "channel", columnNames: ["left", "right"],
                          values: [[0, 1, 2], [3, 2, 1]])
        let c = try #require(parse(map.svg()))
        // 6 cells + 60 colour-bar steps + the white background.
        #expect(c.elements.filter { $0.0 == "rect" }.count == 6 + 60 + 1)
    }

    /// A triangle of 66 weight vectors (10 divisions) draws 66 markers, each at the barycentric
    /// position of its weights: the corner (1, 0, 0) sits at the top vertex.
    @Test func ternaryWeightMapPlacesEveryPoint() throws {
        var w: [[Double]] = [], winners: [String] = []
        for i in 0...10 { for j in 0...(10 - i) { w.append([Double(i) / 10, Double(j) / 10, Double(10 - i - j) / 10]); winners.append(i > 5 ? "mi" : "l1") } }
        let svg = WeightMap(title: "t", taskNames: ["a", "b", "c"], weights: w, winners: winners).svg(width: 900)
        let c = try #require(parse(svg))
        let circles = c.elements.filter { $0.0 == "circle" }
        #expect(circles.count == 66)
        let topVertex = try #require(c.elements.first { $0.0 == "polygon" }?.1["points"]?.split(separator: " ").first)
        let apex = circles.first { $0.1["cy"] == String(topVertex.split(separator: ",")[1]) + ".00" || Double($0.1["cy"]!) == Double(topVertex.split(separator: ",")[1]) }
        #expect(apex != nil)
    }

    /// Colours follow the given measure order, and a measure that never wins keeps its legend entry.
    @Test func weightMapColoursFollowTheMeasureOrder() throws {
        let map = WeightMap(title: "t", taskNames: ["a", "b"], weights: [[0, 1], [1, 0]], winners: ["l1", "l1"], methods: ["mi", "l1"])
        let svg = map.svg()
        #expect(svg.contains(">mi</text>"))
        // l1 is the second method: the palette's second colour fills its strip segments.
        #expect(svg.contains("fill=\"\(Palette.colour(1))\""))
    }

    /// Viridis end points are the published colours #440154 and #fde725.
    @Test func viridisEnds() {
        #expect(HeatMap.colour(0) == "#440154")
        #expect(HeatMap.colour(1) == "#fde725")
    }
}

@Suite struct FrontTableTests {
    /// What front.csv holds is read back point for point (the format is defined in one place).
    @Test func csvRoundTrip() throws {
        let p1 = FrontPoint(method: "ilp-mi", seed: 1, bpe: 0.25, bitsPerSample: 256, entropyBitsPerSample: 101.5,
                                  metrics: [0.5, 12.25], nondominated: true, bits: [8, 0, 10, 3])
        let p2 = FrontPoint(method: "nsga2", seed: 2, bpe: 1.0 / 3.0, bitsPerSample: 1024, entropyBitsPerSample: 800.125,
                                  metrics: [0.9, 20.5], nondominated: false, bits: [1, 2, 3, 4])
        let table = FrontTable(taskNames: ["left", "recon"], points: [p1, p2])
        let text = table.csv.text
        #expect(text.hasPrefix("method,seed,bpe,bits_per_sample,entropy_bits_per_sample,left,recon,nondominated,bits\n"))
        #expect(text.contains("ilp-mi,1,0.25,256,101.5,0.5,12.25,true,8-0-10-3\n"))
        let back = try FrontTable(csvText: text, source: "front.csv")
        #expect(back.taskNames == ["left", "recon"])
        #expect(back.points == [p1, p2])
    }

    @Test func badFilesNameTheFileAndLine() {
        #expect(throws: FrontTableError.self) { try FrontTable(csvText: "a,b\n1,2\n", source: "x/front.csv") }
        let bad = "method,seed,bpe,bits_per_sample,entropy_bits_per_sample,left,nondominated,bits\nm,1,zero,1,1,0.5,true,1-2\n"
        do {
            _ = try FrontTable(csvText: bad, source: "x/front.csv")
            Issue.record("a non-numeric bpe was accepted")
        } catch {
            #expect("\(error)" == "x/front.csv: line 2: column bpe is not a number: 'zero'")
        }
    }

    /// Sweeps draw as lines through the first seed in rate order; NSGA-II as its non-dominated markers.
    @Test func chartSeriesFollowTheMethodKind() {
        let pts = [
            FrontPoint(method: "ilp-mi", seed: 1, bpe: 2, bitsPerSample: 0, entropyBitsPerSample: 0, metrics: [0.9], nondominated: true, bits: [2]),
            FrontPoint(method: "ilp-mi", seed: 1, bpe: 1, bitsPerSample: 0, entropyBitsPerSample: 0, metrics: [0.5], nondominated: true, bits: [1]),
            FrontPoint(method: "ilp-mi", seed: 2, bpe: 1, bitsPerSample: 0, entropyBitsPerSample: 0, metrics: [0.4], nondominated: true, bits: [1]),
            FrontPoint(method: "nsga2", seed: 1, bpe: 1, bitsPerSample: 0, entropyBitsPerSample: 0, metrics: [0.6], nondominated: true, bits: [1]),
            FrontPoint(method: "nsga2", seed: 1, bpe: 2, bitsPerSample: 0, entropyBitsPerSample: 0, metrics: [0.3], nondominated: false, bits: [2]),
        ]
        let chart = FrontChart.chart(title: "t", runs: [.init(label: nil, table: FrontTable(taskNames: ["left"], points: pts))],
                                     clean: ["left": 0.965], metricNames: ["left": "accuracy"])
        let series = chart.panels[0].series
        #expect(series.map(\.name) == ["ilp-mi", "nsga2"])
        #expect(series[0].points.map(\.x) == [1, 2])
        #expect(series[0].points.map(\.y) == [0.5, 0.9])
        #expect(series[1].points.count == 1)
        #expect(chart.panels[0].referenceLines.first?.y == 0.965)
    }
}
