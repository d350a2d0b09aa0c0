import Foundation
import Kafka

/// The JSON form of a consumed record that `driftline subscribe` prints, one object per line:
///
///     {"topic":"t","partition":0,"offset":42,"timestamp":1700000000000,"key":"k",
///      "headers":{"h":"v"},"value":{...}}
///
/// `value` is embedded as JSON when the payload is JSON, else as a string; a payload that is
/// not UTF-8 is base64 with `"value_encoding":"base64"` (the same for `key`, `key_encoding`,
/// and for header values, listed in `base64_headers`). A tombstone's value is null.
/// `timestamp` is milliseconds since the Unix epoch, null when unknown.
enum RecordJSON {
    static func append(_ record: KafkaConsumerRecord, to output: inout [UInt8]) {
        output.append(contentsOf: #"{"topic":"#.utf8)
        JSONText.appendString(record.topic, to: &output)
        output.append(contentsOf: #","partition":\#(record.partition),"offset":\#(record.offset),"timestamp":"#.utf8)
        output.append(contentsOf: (record.timestampMilliseconds.map(String.init) ?? "null").utf8)
        output.append(contentsOf: #","key":"#.utf8)
        let keyIsBase64 = record.key.map { appendText($0, to: &output) } ?? {
            output.append(contentsOf: "null".utf8)
            return false
        }()
        output.append(contentsOf: #","headers":{"#.utf8)
        var base64Headers: [String] = []
        for (index, header) in record.headers.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            JSONText.appendString(header.name, to: &output)
            output.append(UInt8(ascii: ":"))
            if let value = header.value {
                if appendText(value, to: &output) { base64Headers.append(header.name) }
            } else {
                output.append(contentsOf: "null".utf8)
            }
        }
        output.append(contentsOf: #"},"value":"#.utf8)
        var valueIsBase64 = false
        if record.isTombstone {
            output.append(contentsOf: "null".utf8)
        } else {
            let isJSON = record.value.withUnsafeBytes { bytes in
                guard JSONText.isValid(bytes) else { return false }
                JSONText.compact(bytes, into: &output)
                return true
            }
            if !isJSON { valueIsBase64 = appendText(record.value, to: &output) }
        }
        if keyIsBase64 { output.append(contentsOf: #","key_encoding":"base64""#.utf8) }
        if valueIsBase64 { output.append(contentsOf: #","value_encoding":"base64""#.utf8) }
        if !base64Headers.isEmpty {
            output.append(contentsOf: #","base64_headers":["#.utf8)
            for (index, name) in base64Headers.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONText.appendString(name, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Appends `bytes` as a JSON string: the text when it is UTF-8, else base64. Returns
    /// whether it used base64.
    private static func appendText(_ bytes: [UInt8], to output: inout [UInt8]) -> Bool {
        if let text = String(validating: bytes, as: UTF8.self) {
            JSONText.appendString(text, to: &output)
            return false
        }
        JSONText.appendString(Data(bytes).base64EncodedString(), to: &output)
        return true
    }
}
