// Drives the IP ledger in-process for the contention, crash and benchmark runs:
//
//   ledger-driver loop  STORE POOL SIZE COUNT TAG   allocations TAG-0 ... TAG-(COUNT-1) as request ids,
//                                                   one transaction each; prints each CIDR as it commits
//   ledger-driver bench STORE POOL[,POOL...] SIZE COUNT CLIENTS
//                                                   CLIENTS threads with a connection each, COUNT
//                                                   allocations per thread (client c in the c-th pool of
//                                                   the list, round robin); prints allocations per second
//
// LEDGER_DRIVER_PAUSE_AFTER=N makes loop wait for a line on stdin after N allocations.
// Request ids make a killed loop resumable: running it again returns the committed ones and
// allocates the rest.
import BerthNet
import BerthStore
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ledger-driver: \(message)\n".utf8))
    exit(1)
}

let args = CommandLine.arguments
guard args.count >= 2 else { fail("usage: ledger-driver loop|bench ...") }

switch args[1] {
case "loop":
    guard args.count == 7, let size = Int(args[4]), let count = Int(args[5]) else {
        fail("usage: ledger-driver loop STORE POOL SIZE COUNT TAG")
    }
    let (store, pool, tag) = (args[2], args[3], args[6])
    do {
        let ledger = try Ledger(store: store)
        // LEDGER_DRIVER_PAUSE_AFTER=N: after N allocations, wait for a line on stdin (tests write behind its back then).
        let pauseAfter = ProcessInfo.processInfo.environment["LEDGER_DRIVER_PAUSE_AFTER"].flatMap { Int($0) }
        for i in 0..<count {
            if i == pauseAfter { _ = readLine() }
            let a = try ledger.allocate(AllocationRequest(pool: pool, length: size, owner: tag, requestID: "\(tag)-\(i)"))
            FileHandle.standardOutput.write(Data("\(a.prefix)\n".utf8))
        }
    } catch {
        fail("\(error)")
    }

case "bench":
    guard args.count == 7, let size = Int(args[4]), let count = Int(args[5]), let clients = Int(args[6]), clients > 0 else {
        fail("usage: ledger-driver bench STORE POOL SIZE COUNT CLIENTS")
    }
    let store = args[2]
    let pools = args[3].split(separator: ",").map(String.init)
    let done = DispatchSemaphore(value: 0)
    let start = DispatchTime.now()
    for c in 0..<clients {
        let thread = Thread {
            do {
                let ledger = try Ledger(store: store)
                for _ in 0..<count {
                    _ = try ledger.allocate(AllocationRequest(pool: pools[c % pools.count], length: size, owner: "bench-\(c)"))
                }
            } catch {
                fail("client \(c): \(error)")
            }
            done.signal()
        }
        thread.start()
    }
    for _ in 0..<clients { done.wait() }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    let total = count * clients
    print(String(format: "%d clients: %d allocations in %.2f s = %.0f allocations/s", clients, total, seconds, Double(total) / seconds))

default:
    fail("unknown mode '\(args[1])'")
}
