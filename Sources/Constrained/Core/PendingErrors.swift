// Until the shared error type lands: the places that build this branch's errors.
struct PendingError: Error, CustomStringConvertible {
    let description: String
}

func untraversable(key: String, type: String) -> any Error {
    PendingError(description: "traverse of \"\(key)\": cannot traverse a \(type)")
}

func missingPart(operation: String, type: String, parametrization: String) -> any Error {
    PendingError(description: "\(operation) of \(parametrization): no part is a \(type)")
}
