/// Turns events into sparse feature vectors, one event at a time, with running state.
///
/// Semantics follow River's `StandardScaler` inside a pipeline: when learning, a field's
/// statistics are updated with the event *before* it is scaled (the learner sees x scaled with
/// statistics that include x); when predicting, only statistics of earlier events are used and
/// nothing changes. Categorical fields are one-hot encoded or hashed. Unseen categories, new
/// fields and absent fields are normal.
///
/// Every event goes through ``prepare(_:)`` first, which resolves and validates all fields
/// without changing any state: a rejected event leaves the transformer untouched. Then
/// ``transformPrepared(into:)`` (predict) and/or ``learnPrepared(_:into:vocabulary:)`` (learn)
/// run on the prepared event — a prequential step resolves field names only once.
public struct FeatureTransformer: Sendable {
    /// Per-field state, in the order fields were first learned.
    struct Field: Sendable, Hashable {
        var name: String
        var role: FieldRole
        var featureID: Int = -1
        var indicatorID: Int = -1
        var statistics = RunningStatistics()
        var categoryIDs = CategoryTable()
        var categories: [String] = []
    }

    /// What ``prepare(_:)`` found for one event field.
    enum PreparedKind: UInt8, Sendable {
        case skip, numeric, categorical, missing
    }

    /// One prepared event field (slot −1: a field the transformer has not learned yet). Plain
    /// data: a new category's text is read again from the event when it is learned.
    struct PreparedField: Sendable {
        var slot: Int
        var kind: PreparedKind
        var role: FieldRole
        var number: Double
        /// Categorical: the feature id when already known (−1 otherwise), so the category is
        /// looked up once per event for both prediction and learning.
        var categoryID: Int
        /// Hashing: the bucket of `field=value` (−1 without hashing).
        var bucket: Int
        /// Numeric: the field's feature id at prepare time (−1 when not assigned yet).
        var featureID: Int

        static let empty = PreparedField(
            slot: -1, kind: .skip, role: .ignored, number: 0, categoryID: -1, bucket: -1, featureID: -1)
    }

    public let configuration: TransformerConfiguration
    public let schema: Schema
    var fields: [Field] = []
    var fieldSlots: [String: Int] = [:]
    /// Hashing: bucket → feature id (−1 when unused).
    var bucketIDs: [Int] = []
    /// Hashing: buckets in the order they were first used.
    var bucketOrder: [Int] = []

    // Scratch (not state): the prepared event, and a field-name cache by position.
    private var prepared: [PreparedField] = []
    private var positionNames: [String] = []
    private var positionSlots: [Int] = []
    /// The slots of the last event, by position, and the positions of its numeric fields
    /// sorted by feature id: numeric features are emitted already in id order, so the final
    /// sort only has to place the few categorical features.
    private var layoutSlots: [Int] = []
    private var numericOrder: [Int] = []
    private var seenStamp: [UInt64] = []
    private var stamp: UInt64 = 0

    public init(configuration: TransformerConfiguration = .init(), schema: Schema = .init()) {
        self.configuration = configuration
        self.schema = schema
        if case .hashing(let bits) = configuration.categorical {
            precondition((1...30).contains(bits), "hashing bits must be in 1...30")
            bucketIDs = Array(repeating: -1, count: 1 << bits)
        }
    }

    /// Names of the fields the transformer has learned, in first-seen order.
    public var fieldNames: [String] { fields.map(\.name) }

    /// The locked kind of a field, `nil` while unknown.
    public func kind(of field: String) -> FieldKind? {
        guard let slot = fieldSlots[field], case .feature(let kind) = fields[slot].role else { return nil }
        return kind
    }

    /// The running statistics of a numeric field.
    public func statistics(of field: String) -> RunningStatistics? {
        fieldSlots[field].map { fields[$0].statistics }
    }

    // MARK: - Convenience

    /// Predict-mode transform of one event (statistics of earlier events only).
    public mutating func transformOne(_ event: Event, into vector: inout FeatureVector) throws(EventRejection) {
        _ = try prepare(event)
        transformPrepared(into: &vector)
    }

    /// Learn-mode transform: updates the statistics with the event, then transforms it.
    public mutating func learnTransformOne(
        _ event: Event, into vector: inout FeatureVector, vocabulary: inout FeatureVocabulary
    ) throws(EventRejection) {
        _ = try prepare(event)
        learnPrepared(event, into: &vector, vocabulary: &vocabulary)
    }

    // MARK: - Prepare

    /// Resolves and validates every field of the event; returns the target value (`nil` when
    /// absent). Changes no state; throws the first problem found.
    public mutating func prepare(_ event: Event) throws(EventRejection) -> FieldValue? {
        try prepare(event, resolvesCategories: true)
    }

    /// The checks of ``prepare(_:)`` alone (same rejections, same target), without looking
    /// categories up: for a reader that only validates events and locks field kinds with
    /// ``learnFieldsPrepared(_:)`` (the transform stage), the category tables are not needed.
    public mutating func validate(_ event: Event) throws(EventRejection) -> FieldValue? {
        try prepare(event, resolvesCategories: false)
    }

    /// Learns only the new fields of the event passed to ``validate(_:)`` (or ``prepare(_:)``):
    /// the slots and locked kinds that decide later rejections — exactly the fields
    /// ``learnPrepared(_:into:vocabulary:)`` would add — and no statistics, categories or
    /// feature ids. A transformer that only learns this way rejects exactly the events one
    /// that learns fully rejects.
    public mutating func learnFieldsPrepared(_ event: Event) {
        for k in 0..<prepared.count where prepared[k].slot < 0 && prepared[k].role != .undecided {
            _ = addField(event.fields[k].name, role: prepared[k].role, position: k)
        }
    }

    @inline(__always)
    private mutating func prepare(_ event: Event, resolvesCategories: Bool) throws(EventRejection) -> FieldValue? {
        stamp &+= 1
        // Sized once per layout and written in place below (no append checks per field).
        let count = event.fields.count
        if prepared.count > count {
            prepared.removeLast(prepared.count - count)
        } else if prepared.count < count {
            prepared.append(contentsOf: repeatElement(PreparedField.empty, count: count - prepared.count))
        }
        var target: FieldValue? = nil
        let inputClip = configuration.inputClip
        let tracksAbsence = imputes
        // The scratch arrays written below are swapped out into locals for the pass, so the
        // closures mutate nothing of `self` and `fields` is read in place without a retain;
        // fields are read through a buffer pointer so no `Field` is copied.
        var positionNames: [String] = [], positionSlots: [Int] = [], seenStamp: [UInt64] = []
        var prepared: [PreparedField] = []
        swap(&positionNames, &self.positionNames)
        swap(&positionSlots, &self.positionSlots)
        swap(&seenStamp, &self.seenStamp)
        swap(&prepared, &self.prepared)
        let stamp = self.stamp
        // Category tables are read in place through this offset (see `CategoryTable.id(of:in:)`).
        let categoryIDsOffset = MemoryLayout<Field>.offset(of: \.categoryIDs)!
        var rejection: EventRejection? = nil
        do throws(EventRejection) {
        try event.fields.withUnsafeBufferPointer { (eventFields) throws(EventRejection) in
        try fields.withUnsafeBufferPointer { (known) throws(EventRejection) in
        try prepared.withUnsafeMutableBufferPointer { (out) throws(EventRejection) in
        let base = eventFields.baseAddress
        for position in eventFields.indices {
            // Read the field in place (no copy of its value unless needed).
            let field = base! + position
            var slot: Int
            if position < positionNames.count, positionNames[position] == field.pointee.name {
                slot = positionSlots[position]
            } else {
                slot = Self.lookupSlot(
                    field.pointee.name, position: position, names: &positionNames, slots: &positionSlots, index: fieldSlots)
            }
            let role = slot >= 0 ? known[slot].role : schema.role(of: field.pointee.name)
            var kind = PreparedKind.skip
            var number = 0.0
            var string = ""
            var resolvedRole = role
            switch role {
            case .target:
                target = field.pointee.value
            case .key, .time, .ignored:
                break
            case .feature(.numeric):
                (kind, number) = try Self.numeric(field, clip: inputClip)
            case .feature(.categorical):
                (kind, string) = Self.categorical(field)
            case .undecided:
                switch field.pointee.value {
                case .number, .bool:
                    resolvedRole = .feature(.numeric)
                    (kind, number) = try Self.numeric(field, clip: inputClip)
                case .string(let s):
                    resolvedRole = .feature(.categorical)
                    kind = .categorical
                    string = s
                case .null:
                    kind = .skip
                }
            }
            var categoryID = -1
            var bucket = -1
            if kind == .categorical && resolvesCategories {
                if !bucketIDs.isEmpty {
                    bucket = Self.bucket(field: field.pointee.name, value: string, count: bucketIDs.count)
                    categoryID = bucketIDs[bucket]
                } else if slot >= 0 {
                    let table = UnsafeRawPointer(known.baseAddress! + slot).advanced(by: categoryIDsOffset)
                    categoryID = CategoryTable.id(of: string, in: table.assumingMemoryBound(to: CategoryTable.self)) ?? -1
                }
            }
            if slot >= 0 && tracksAbsence { seenStamp[slot] = stamp }  // only imputation reads it
            out[position] = PreparedField(
                slot: slot, kind: kind, role: resolvedRole, number: number, categoryID: categoryID,
                bucket: bucket, featureID: slot >= 0 && resolvedRole == .feature(.numeric) ? known[slot].featureID : -1)
        }
        }
        }
        }
        } catch {
            rejection = error
        }
        swap(&positionNames, &self.positionNames)
        swap(&positionSlots, &self.positionSlots)
        swap(&seenStamp, &self.seenStamp)
        swap(&prepared, &self.prepared)
        if let rejection { throw rejection }
        updateLayout()
        return target
    }

    private mutating func updateLayout() {
        var same = layoutSlots.count == prepared.count
        if same {
            for k in 0..<prepared.count where prepared[k].slot != layoutSlots[k] {
                same = false
                break
            }
        }
        if same { return }
        layoutSlots = prepared.map(\.slot)
        numericOrder = prepared.indices.filter { prepared[$0].featureID >= 0 }
        numericOrder.sort { prepared[$0].featureID < prepared[$1].featureID }
    }

    /// The slot of a field name: first from the cache of the previous event's field at the
    /// same position (usually a hit: events of a stream share their layout), else hashed.
    @inline(__always)
    private static func lookupSlot(
        _ name: String, position: Int, names: inout [String], slots: inout [Int], index: [String: Int]
    ) -> Int {
        if position < names.count, names[position] == name {
            return slots[position]
        }
        guard let slot = index[name] else { return -1 }
        while names.count <= position {
            names.append("")
            slots.append(-1)
        }
        names[position] = name
        slots[position] = slot
        return slot
    }

    @inline(__always)
    private static func numeric(_ field: UnsafePointer<EventField>, clip: ClosedRange<Double>?) throws(EventRejection) -> (PreparedKind, Double) {
        var x: Double
        switch field.pointee.value {
        case .number(let v): x = v
        case .bool(let b): x = b ? 1 : 0
        case .null: return (.missing, 0)
        case .string: throw .typeMismatch(field: field.pointee.name, expected: .numeric, found: "string")
        }
        guard x.isFinite else { throw .nonFiniteValue(field: field.pointee.name) }
        if let clip { x = min(max(x, clip.lowerBound), clip.upperBound) }
        guard abs(x) <= ValueLimits.maxMagnitude else { throw .valueOutOfRange(field: field.pointee.name, value: x) }
        return (.numeric, x)
    }

    @inline(__always)
    private static func categorical(_ field: UnsafePointer<EventField>) -> (PreparedKind, String) {
        switch field.pointee.value {
        case .string(let s): return (.categorical, s)
        case .bool(let b): return (.categorical, b ? "true" : "false")
        case .number(let x): return (.categorical, Self.categoryName(x))
        case .null: return (.missing, "")
        }
    }

    private static func categoricalValue(_ field: EventField) -> String {
        withUnsafePointer(to: field) { categorical($0).1 }
    }

    /// Numbers used as categories are written as integers when they are integers.
    static func categoryName(_ x: Double) -> String {
        if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    // MARK: - Transform

    @inline(__always)
    private mutating func scaled(_ x: Double, _ statistics: RunningStatistics) -> Double {
        Self.scaled(x, statistics, configuration.scaling, configuration.outputClip)
    }

    @inline(__always)
    private static func scaled(
        _ x: Double, _ statistics: RunningStatistics, _ scaling: TransformerConfiguration.Scaling, _ outputClip: Double?
    ) -> Double {
        var v: Double
        switch scaling {
        case .none: v = x
        case .standard: v = statistics.standardized(x)
        case .minMax: v = statistics.minMaxScaled(x)
        }
        if let bound = outputClip { v = min(max(v, -bound), bound) }
        return v
    }

    /// Learns the event's values of known numeric fields and writes their features (into
    /// `predict` too, scaled before the update, when `writesPredict`), in feature-id order.
    ///
    /// One tight loop over raw storage on purpose: each field's update is a chain of dependent
    /// divisions and a square root (River's exact operations), and with no calls or
    /// uniqueness checks in the loop the CPU overlaps the chains of different fields.
    @inline(__always)
    private mutating func learnKnownNumeric(
        predict: inout FeatureVectorWriter, learn: inout FeatureVectorWriter, writesPredict: Bool
    ) {
        let scaling = configuration.scaling, outputClip = configuration.outputClip
        numericOrder.withUnsafeBufferPointer { order in
            prepared.withUnsafeBufferPointer { prepared in
                fields.withUnsafeMutableBufferPointer { fields in
                    var j = 0
                    while j < order.count {
                        let k = order[j]
                        j += 1
                        guard prepared[k].kind == .numeric else { continue }
                        let slot = prepared[k].slot, x = prepared[k].number, id = prepared[k].featureID
                        // Standard scaling without clipping: two fields per SIMD lane pair when
                        // the next one is numeric too (and another field), same bits.
                        if scaling == .standard && outputClip == nil && j < order.count {
                            let k2 = order[j], slot2 = prepared[k2].slot
                            if prepared[k2].kind == .numeric && slot2 != slot {
                                j += 1
                                let id2 = prepared[k2].featureID
                                let (before, after) = RunningStatistics.standardizedUpdate(
                                    &fields[slot].statistics, &fields[slot2].statistics,
                                    SIMD2(x, prepared[k2].number))
                                if writesPredict {
                                    predict.append(id, before[0])
                                    predict.append(id2, before[1])
                                }
                                learn.append(id, after[0])
                                learn.append(id2, after[1])
                                continue
                            }
                        }
                        if writesPredict { predict.append(id, Self.scaled(x, fields[slot].statistics, scaling, outputClip)) }
                        fields[slot].statistics.update(x)
                        learn.append(id, Self.scaled(x, fields[slot].statistics, scaling, outputClip))
                    }
                }
            }
        }
    }

    private mutating func imputed(_ statistics: RunningStatistics) -> Double? {
        switch configuration.missing {
        case .skip: return nil
        case .mean: return statistics.count > 0 ? statistics.mean : nil
        case .constant(let c): return c
        }
    }

    private var imputes: Bool {
        mutating get {
        if configuration.missingIndicator { return true }
        if case .skip = configuration.missing { return false }
        return true
        }
    }

    /// Predict mode: writes the features of the prepared event using current statistics only.
    /// Features the transformer never learned (new fields, unseen categories) are left out:
    /// their weights are zero anyway.
    public mutating func transformPrepared(into vector: inout FeatureVector) {
        let imputes = self.imputes
        vector.write(capacity: outputCapacity(imputes)) { out in
            for k in numericOrder where prepared[k].kind == .numeric {
                out.append(prepared[k].featureID, scaled(prepared[k].number, fields[prepared[k].slot].statistics))
            }
            for k in 0..<prepared.count {
                let slot = prepared[k].slot
                switch prepared[k].kind {
                case .skip: break
                case .numeric:
                    break  // known ids were emitted above; unknown ones weigh 0
                case .categorical:
                    // Known category (or, when hashing, an already used bucket, even for a new field).
                    let id = prepared[k].categoryID
                    if id >= 0 { out.append(id, 1) }
                case .missing:
                    if slot >= 0 { missingFeatures(slot: slot, into: &out) }
                }
            }
            if imputes {
                for slot in 0..<fields.count where seenStamp[slot] != stamp {
                    missingFeatures(slot: slot, into: &out)
                }
            }
        }
        vector.canonicalize()
    }

    /// At most two features per event field (value and missing indicator), plus two per known
    /// field when absent fields are imputed.
    private func outputCapacity(_ imputes: Bool) -> Int {
        2 * prepared.count + (imputes ? 2 * fields.count : 0)
    }

    private static func bucket(field: String, value: String, count: Int) -> Int {
        Int(truncatingIfNeeded: StableHash.featureHash(field: field, value: value) & UInt64(count - 1))
    }

    private mutating func missingFeatures(slot: Int, into vector: inout FeatureVectorWriter) {
        guard case .feature(let kind) = fields[slot].role else { return }
        let featureID = fields[slot].featureID, statistics = fields[slot].statistics
        if kind == .numeric, featureID >= 0, let x = imputed(statistics) {
            vector.append(featureID, scaled(x, statistics))
        }
        if configuration.missingIndicator, fields[slot].indicatorID >= 0 {
            vector.append(fields[slot].indicatorID, 1)
        }
    }

    // MARK: - Learn

    /// Learn mode: updates the state with the prepared event, then (when `vector` is given)
    /// writes its features scaled with statistics that include it. New features get ids from
    /// `vocabulary`. `event` must be the one passed to ``prepare(_:)``.
    public mutating func learnPrepared(
        _ event: Event, into vector: inout FeatureVector, vocabulary: inout FeatureVocabulary
    ) {
        let firstNewID = vocabulary.count
        // The layout's numeric order depends on numeric feature ids only: new categories (on
        // a fresh stream, most events bring one) leave it as it is.
        var numericIDsAssigned = false
        let imputes = self.imputes
        // New fields add slots during the pass; they are never absent, so the bound holds.
        // The event's fields through a pointer: the closure below captures no array to retain.
        event.fields.withUnsafeBufferPointer { eventFields in
        vector.write(capacity: outputCapacity(imputes) + 2 * prepared.count) { out in
            var unused = out
            learnKnownNumeric(predict: &unused, learn: &out, writesPredict: false)
            for k in 0..<prepared.count {
                if prepared[k].kind == .numeric && prepared[k].featureID >= 0 { continue }
                var slot = prepared[k].slot
                if slot < 0 {
                    if prepared[k].role == .undecided { continue }
                    slot = addField(eventFields[k].name, role: prepared[k].role, position: k)
                }
                switch prepared[k].kind {
                case .skip: break
                case .numeric:
                    let x = prepared[k].number
                    fields[slot].statistics.update(x)
                    if fields[slot].featureID < 0 {
                        fields[slot].featureID = vocabulary.intern(fields[slot].name)
                        numericIDsAssigned = true
                    }
                    out.append(fields[slot].featureID, scaled(x, fields[slot].statistics))
                case .categorical:
                    var id = prepared[k].categoryID
                    if id < 0 {
                        id = learnCategory(slot: slot, value: Self.categoricalValue(eventFields[k]), bucket: prepared[k].bucket, vocabulary: &vocabulary)
                    }
                    out.append(id, 1)
                case .missing:
                    learnMissing(slot: slot, into: &out, vocabulary: &vocabulary)
                }
            }
            if imputes {
                for slot in 0..<fields.count where seenStamp[slot] != stamp {
                    learnMissing(slot: slot, into: &out, vocabulary: &vocabulary)
                }
            }
        }
        }
        if numericIDsAssigned { layoutSlots.removeAll() }  // ids changed: recompute the layout
        if vocabulary.count - firstNewID > 1 { sortNewIDs(from: firstNewID, vector: &vector, vocabulary: &vocabulary) }
        vector.canonicalize()
    }

    /// Prequential step in one pass: writes the prediction-time features (statistics of earlier
    /// events) into `predict` and, updating the state, the learning-time features into `learn`.
    /// Equal to ``transformPrepared(into:)`` followed by ``learnPrepared(_:into:vocabulary:)``.
    public mutating func prequentialPrepared(
        _ event: Event, predict: inout FeatureVector, learn: inout FeatureVector, vocabulary: inout FeatureVocabulary
    ) {
        let firstNewID = vocabulary.count
        // The layout's numeric order depends on numeric feature ids only: new categories (on
        // a fresh stream, most events bring one) leave it as it is.
        var numericIDsAssigned = false
        let imputes = self.imputes
        let capacity = outputCapacity(imputes) + 2 * prepared.count
        // The event's fields through a pointer: the closures below capture no array to retain.
        event.fields.withUnsafeBufferPointer { eventFields in
        predict.write(capacity: capacity) { p in
            learn.write(capacity: capacity) { l in
                learnKnownNumeric(predict: &p, learn: &l, writesPredict: true)
                for k in 0..<prepared.count {
                    if prepared[k].kind == .numeric && prepared[k].featureID >= 0 { continue }
                    let known = prepared[k].slot >= 0
                    var slot = prepared[k].slot
                    if !known {
                        if prepared[k].role == .undecided { continue }
                        slot = addField(eventFields[k].name, role: prepared[k].role, position: k)
                    }
                    switch prepared[k].kind {
                    case .skip: break
                    case .numeric:
                        let x = prepared[k].number
                        fields[slot].statistics.update(x)
                        if fields[slot].featureID < 0 {
                            fields[slot].featureID = vocabulary.intern(fields[slot].name)
                            numericIDsAssigned = true
                        }
                        l.append(fields[slot].featureID, scaled(x, fields[slot].statistics))
                    case .categorical:
                        var id = prepared[k].categoryID
                        if id >= 0 {
                            p.append(id, 1)
                        } else {
                            id = learnCategory(slot: slot, value: Self.categoricalValue(eventFields[k]), bucket: prepared[k].bucket, vocabulary: &vocabulary)
                        }
                        l.append(id, 1)
                    case .missing:
                        if known { missingFeatures(slot: slot, into: &p) }
                        learnMissing(slot: slot, into: &l, vocabulary: &vocabulary)
                    }
                }
                if imputes {
                    for slot in 0..<fields.count where seenStamp[slot] != stamp {
                        missingFeatures(slot: slot, into: &p)
                        learnMissing(slot: slot, into: &l, vocabulary: &vocabulary)
                    }
                }
            }
        }
        }
        if numericIDsAssigned { layoutSlots.removeAll() }
        if vocabulary.count - firstNewID > 1 { sortNewIDs(from: firstNewID, vector: &learn, vocabulary: &vocabulary) }
        predict.canonicalize()
        learn.canonicalize()
    }

    /// Features first seen in the same event get ids in name order, not field order, so the
    /// ids — and with them every sum — do not depend on the order of the event's fields.
    private mutating func sortNewIDs(from first: Int, vector: inout FeatureVector, vocabulary: inout FeatureVocabulary) {
        // Usually already in name order (fields learned in an order their names sort in, as
        // `cat0`, `cat1`, `cat2`): then every id stays and nothing is rewritten.
        if vocabulary.namesAreSorted(from: first) { return }
        let order = vocabulary.sortNames(from: first)
        var newID = [Int](repeating: 0, count: order.count)
        for (k, old) in order.enumerated() { newID[old - first] = first + k }
        func remap(_ id: Int) -> Int { id >= first ? newID[id - first] : id }
        for slot in fields.indices {
            fields[slot].featureID = remap(fields[slot].featureID)
            fields[slot].indicatorID = remap(fields[slot].indicatorID)
            fields[slot].categoryIDs.remapTrailingIDs(atLeast: first, remap)
        }
        for bucket in bucketOrder.reversed() {
            guard bucketIDs[bucket] >= first else { break }
            bucketIDs[bucket] = remap(bucketIDs[bucket])
        }
        for k in vector.indices.indices { vector.indices[k] = remap(vector.indices[k]) }
    }

    /// Appends a restored field (model documents).
    mutating func restoreField(_ field: Field) {
        fieldSlots[field.name] = fields.count
        fields.append(field)
        seenStamp.append(0)
    }

    private mutating func addField(_ name: String, role: FieldRole, position: Int) -> Int {
        let slot = fields.count
        fields.append(Field(name: name, role: role))
        fieldSlots[name] = slot
        seenStamp.append(stamp)
        _ = Self.lookupSlot(name, position: position, names: &positionNames, slots: &positionSlots, index: fieldSlots)
        return slot
    }

    private mutating func learnCategory(slot: Int, value: String, bucket b: Int, vocabulary: inout FeatureVocabulary) -> Int {
        switch configuration.categorical {
        case .oneHot:
            // Through a pointer: the field is updated in place (`fields[slot]` here copied the
            // whole field, tables and all, once per new category).
            return fields.withUnsafeMutableBufferPointer { fields in
                let field = fields.baseAddress! + slot
                if let id = field.pointee.categoryIDs[value] { return id }
                let id = vocabulary.intern(field.pointee.name + "=" + value)
                field.pointee.categoryIDs[value] = id
                field.pointee.categories.append(value)
                return id
            }
        case .hashing:
            if bucketIDs[b] < 0 {
                bucketIDs[b] = vocabulary.intern("#\(b)")
                bucketOrder.append(b)
            }
            return bucketIDs[b]
        }
    }

    private mutating func learnMissing(slot: Int, into vector: inout FeatureVectorWriter, vocabulary: inout FeatureVocabulary) {
        guard case .feature = fields[slot].role else { return }
        if configuration.missingIndicator, fields[slot].indicatorID < 0 {
            fields[slot].indicatorID = vocabulary.intern(fields[slot].name + ":missing")
        }
        missingFeatures(slot: slot, into: &vector)
    }
}

extension FeatureTransformer: Equatable {
    /// Equal learned state (scratch buffers are ignored).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.configuration == rhs.configuration && lhs.schema == rhs.schema && lhs.fields == rhs.fields
            && lhs.bucketIDs == rhs.bucketIDs
    }
}
