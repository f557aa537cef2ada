//! The traffic mix: the requests of the exercise's curl sequence ("Déploiement et
//! tests"), grouped into four categories whose shares are tunable, and a scheduler
//! that deals them out.
//!
//! The scheduler is deterministic (smooth weighted round-robin, as nginx balances
//! upstreams): after any number of requests each category's count is within one or
//! two of its share, so short runs already have the asked-for error ratio and tests
//! can check counts exactly instead of statistically. Within a category, requests
//! alternate between user-service and order-service so both get every kind.

/// Which service a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// user-service (`/users`).
    Users,
    /// order-service (`/orders`).
    Orders,
}

/// The four kinds of traffic whose shares can be tuned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// `GET /users`, `GET /orders`: the rest of the mix.
    Read,
    /// `GET /users/999`, `GET /orders/999`: 404s.
    NotFound,
    /// `GET /users/500`, `GET /orders/500`: the simulated database failure, 500s.
    ServerError,
    /// `POST /users`, `POST /orders`: creates.
    Create,
}

/// Every category, in tie-breaking order.
pub const CATEGORIES: [Category; 4] = [
    Category::Read,
    Category::NotFound,
    Category::ServerError,
    Category::Create,
];

/// One request of the sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestKind {
    /// Its category.
    pub category: Category,
    /// The service it goes to.
    pub service: Service,
}

/// The JSON body the exercise's curl sends with `POST /orders`.
pub const ORDER_BODY: &str = r#"{"userId": 1, "product": "Monitor", "amount": 300}"#;

impl RequestKind {
    /// HTTP method.
    pub fn method(self) -> &'static str {
        match self.category {
            Category::Create => "POST",
            _ => "GET",
        }
    }

    /// Path on the service.
    pub fn path(self) -> &'static str {
        match (self.category, self.service) {
            (Category::Read | Category::Create, Service::Users) => "/users",
            (Category::Read | Category::Create, Service::Orders) => "/orders",
            (Category::NotFound, Service::Users) => "/users/999",
            (Category::NotFound, Service::Orders) => "/orders/999",
            (Category::ServerError, Service::Users) => "/users/500",
            (Category::ServerError, Service::Orders) => "/orders/500",
        }
    }

    /// Route template of the path (`/users/{id}` for `/users/999`): the name of the
    /// request's client span, as the service names its own server span.
    pub fn route(self) -> &'static str {
        match (self.category, self.service) {
            (Category::Read | Category::Create, _) => self.path(),
            (Category::NotFound | Category::ServerError, Service::Users) => "/users/{id}",
            (Category::NotFound | Category::ServerError, Service::Orders) => "/orders/{id}",
        }
    }

    /// JSON body, if any (`POST /users` is sent without one, as in the exercise).
    pub fn body(self) -> Option<&'static str> {
        (self.category == Category::Create && self.service == Service::Orders).then_some(ORDER_BODY)
    }

    /// The status the exercise's services answer.
    pub fn expected_status(self) -> u16 {
        match self.category {
            Category::Read => 200,
            Category::NotFound => 404,
            Category::ServerError => 500,
            Category::Create => 201,
        }
    }
}

/// Shares of the non-read categories; reads take the rest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shares {
    /// Share of 500 requests.
    pub error: f64,
    /// Share of 404 requests.
    pub not_found: f64,
    /// Share of creates.
    pub create: f64,
}

impl Shares {
    /// Checks each share is in [0, 1] and together they leave a non-negative read share.
    pub fn validate(self) -> Result<Self, String> {
        let sum = self.error + self.not_found + self.create;
        if sum > 1.0 + 1e-9 {
            return Err(format!(
                "--error-share + --not-found-share + --create-share is {sum}, more than 1"
            ));
        }
        Ok(self)
    }

    /// The share of `category`.
    pub fn of(self, category: Category) -> f64 {
        match category {
            Category::Read => (1.0 - self.error - self.not_found - self.create).max(0.0),
            Category::NotFound => self.not_found,
            Category::ServerError => self.error,
            Category::Create => self.create,
        }
    }
}

/// Deals out request kinds in the configured proportions.
#[derive(Debug)]
pub struct Mix {
    weights: [f64; 4],
    credit: [f64; 4],
    /// Per category: the next request goes to user-service when even.
    turn: [u64; 4],
}

impl Mix {
    /// A scheduler for `shares` (already validated).
    pub fn new(shares: Shares) -> Self {
        Self {
            weights: CATEGORIES.map(|category| shares.of(category)),
            credit: [0.0; 4],
            turn: [0; 4],
        }
    }

    /// The next request to send.
    pub fn next_kind(&mut self) -> RequestKind {
        let total: f64 = self.weights.iter().sum();
        for (credit, weight) in self.credit.iter_mut().zip(self.weights) {
            *credit += weight;
        }
        let mut chosen = 0;
        for index in 1..CATEGORIES.len() {
            if self.credit[index] > self.credit[chosen] {
                chosen = index;
            }
        }
        self.credit[chosen] -= total;
        let service = if self.turn[chosen] % 2 == 0 {
            Service::Users
        } else {
            Service::Orders
        };
        self.turn[chosen] += 1;
        RequestKind {
            category: CATEGORIES[chosen],
            service,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn counts(shares: Shares, n: usize) -> HashMap<RequestKind, usize> {
        let mut mix = Mix::new(shares);
        let mut counts = HashMap::new();
        for _ in 0..n {
            *counts.entry(mix.next_kind()).or_default() += 1;
        }
        counts
    }

    fn category_count(counts: &HashMap<RequestKind, usize>, category: Category) -> usize {
        counts
            .iter()
            .filter(|(kind, _)| kind.category == category)
            .map(|(_, count)| count)
            .sum()
    }

    #[test]
    fn category_counts_follow_the_shares_closely() {
        let shares = Shares {
            error: 0.07,
            not_found: 0.13,
            create: 0.05,
        };
        for n in [10, 100, 1000, 12_345] {
            let counts = counts(shares, n);
            for category in CATEGORIES {
                let expected = shares.of(category) * n as f64;
                let actual = category_count(&counts, category) as f64;
                assert!(
                    (actual - expected).abs() <= 2.0,
                    "{category:?} after {n}: {actual} vs {expected}"
                );
            }
        }
    }

    #[test]
    fn each_category_alternates_between_the_services() {
        let shares = Shares {
            error: 0.25,
            not_found: 0.25,
            create: 0.25,
        };
        let counts = counts(shares, 800);
        for (kind, count) in &counts {
            assert_eq!(*count, 100, "{kind:?}");
        }
        assert_eq!(counts.len(), 8, "every request of the sequence is sent");
    }

    #[test]
    fn zero_shares_send_only_reads() {
        let shares = Shares {
            error: 0.0,
            not_found: 0.0,
            create: 0.0,
        };
        let counts = counts(shares, 50);
        assert_eq!(category_count(&counts, Category::Read), 50);
    }

    #[test]
    fn shares_may_take_the_whole_mix() {
        let shares = Shares {
            error: 1.0,
            not_found: 0.0,
            create: 0.0,
        };
        let counts = counts(shares.validate().expect("sum is 1"), 10);
        assert_eq!(category_count(&counts, Category::ServerError), 10);
    }

    #[test]
    fn shares_over_one_are_refused() {
        let shares = Shares {
            error: 0.5,
            not_found: 0.4,
            create: 0.2,
        };
        let message = shares.validate().expect_err("sum is 1.1");
        assert!(message.contains("more than 1"), "{message}");
    }

    #[test]
    fn the_sequence_matches_the_exercise() {
        let kind = |category, service| RequestKind { category, service };
        let create_order = kind(Category::Create, Service::Orders);
        assert_eq!(
            (create_order.method(), create_order.path()),
            ("POST", "/orders")
        );
        assert_eq!(create_order.body(), Some(ORDER_BODY));
        assert_eq!(kind(Category::Create, Service::Users).body(), None);
        assert_eq!(
            kind(Category::ServerError, Service::Users).path(),
            "/users/500"
        );
        assert_eq!(
            kind(Category::NotFound, Service::Orders).expected_status(),
            404
        );
    }
}
