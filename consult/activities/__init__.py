"""Service activities: party-member 报到, activities with sign-ups and rotating-code check-ins,
micro-wishes, and the verifiable service record."""
